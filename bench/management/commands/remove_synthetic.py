"""Remove the records `manage.py synthesize` made, and their history, leaving
the seed and every record an editor made untouched.

A record is synthetic by its marker: a slug (a citation's key) starting with
"synthetic-". Designations and agreement parties have no slug; they belong to
their actor and agreement, and go with a synthetic one.

Deletes are set-based (one DELETE per table) rather than QuerySet.delete():
at 100,000 transfers delete() would load every row and its dependants into
Python, send signals for each, and django-simple-history would write a
"deleted" history row for every synthetic row, the opposite of removing them.
Set-based deletes do not cascade, so every dependant table is cleared here
explicitly, children before parents, all in one transaction.
"""

import time
from collections import Counter
from graphlib import TopologicalSorter

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, models, transaction
from simple_history.models import HistoricalChanges

from cases.kinds import KINDS
from cases.models import Actor, Agreement, AgreementParty, Citation, Designation

from .synthesize import SYNTHETIC_PREFIX, refresh_planner_statistics

# How the synthetic rows of each table are recognised: every kind of record
# (the registry, cases/kinds.py) by its slug; the rows that belong to a record
# rather than being one by their key or their owner's slug.
_BY_SLUG = models.Q(slug__startswith=SYNTHETIC_PREFIX)
SYNTHETIC = {
    **{kind.model: _BY_SLUG for kind in KINDS},
    Citation: models.Q(key__startswith=SYNTHETIC_PREFIX),
    Designation: models.Q(actor__slug__startswith=SYNTHETIC_PREFIX),
    AgreementParty: models.Q(agreement__slug__startswith=SYNTHETIC_PREFIX),
}


def foreign_keys(model):
    """The foreign keys of `model` to the tables above."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one or field.one_to_one
        if field.related_model in SYNTHETIC
    ]


# Children before parents: every table before the tables it refers to, worked
# out from the foreign keys, so a kind added to the registry is removed in its
# place. Self-references (a subgroup's parent, an office's part_of) are
# deleted referring rows first; deeper nesting than the generator makes is
# still safe because Django creates foreign keys as DEFERRABLE INITIALLY
# DEFERRED on PostgreSQL and SQLite, checked at commit.
DELETE_ORDER = tuple(
    TopologicalSorter(
        {
            parent: {
                child
                for child in SYNTHETIC
                for field in foreign_keys(child)
                if field.related_model is parent and child is not parent
            }
            for parent in SYNTHETIC
        }
    ).static_order()
)
SELF_REFERENCES = {
    model: [field.name for field in foreign_keys(model) if field.related_model is model]
    for model in SYNTHETIC
}

# Listed per relation when removal has to stop.
EXAMPLES_SHOWN = 5


def synthetic(model):
    return model._default_manager.filter(SYNTHETIC[model])


def real(model):
    """Rows of `model` that are not synthetic (all of them for other models)."""
    query = SYNTHETIC.get(model)
    return model._default_manager.exclude(query) if query else model._default_manager.all()


def label(row):
    for name in ("slug", "key"):
        value = getattr(row, name, None)
        if value:
            return f"{row._meta.verbose_name} “{value}”"
    return f"{row._meta.verbose_name} #{row.pk} ({row})"


def blocking_references():
    """Real rows that refer to a synthetic one by a foreign key, as
    human-readable lines. Removing the synthetic record would change or
    break them, so removal stops instead."""
    problems = []
    for target in SYNTHETIC:
        synthetic_keys = synthetic(target).values("pk")
        for relation in target._meta.related_objects:
            referrer = relation.related_model
            if relation.many_to_many or referrer._meta.auto_created:
                continue  # Links, removed with either side (see through_links).
            if issubclass(referrer, HistoricalChanges):
                continue  # History keeps no enforced keys; it is handled by slug.
            field = relation.field
            rows = real(referrer).filter(**{f"{field.name}__in": synthetic_keys})
            for row in rows.select_related(field.name)[:EXAMPLES_SHOWN]:
                problems.append(
                    f"{label(row)} has {field.verbose_name} {label(getattr(row, field.name))}"
                )
            hidden = rows.count() - EXAMPLES_SHOWN
            if hidden > 0:
                problems.append(
                    f"... and {hidden:,} more {referrer._meta.verbose_name_plural} "
                    f"by {field.verbose_name}"
                )
    return problems


def through_links():
    """For each many-to-many field among the case models: its through model
    (when Django made it) and the links to delete, those where either side
    is synthetic, and how many of those tie a real record to a synthetic one."""
    seen = set()
    for model in SYNTHETIC:
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if not through._meta.auto_created or through in seen:
                continue  # AgreementParty is a model of its own, handled above.
            seen.add(through)
            own_side = models.Q(**{f"{field.m2m_field_name()}__in": synthetic(model).values("pk")})
            other_side = models.Q(
                **{
                    f"{field.m2m_reverse_field_name()}__in": synthetic(field.related_model).values(
                        "pk"
                    )
                }
            )
            links = through._default_manager.filter(own_side | other_side)
            mixed = through._default_manager.filter(own_side ^ other_side)
            yield f"{model.__name__}.{field.name}", links, mixed


def history_rows():
    """(historical model, synthetic history rows) in a safe order: rows are
    found by the slug or key they recorded, so a synthetic record an editor
    has since edited or deleted loses its history too. Designations and
    agreement parties are found through their actor's or agreement's
    history, so those come first."""
    historical_actor_ids = Actor.history.filter(_BY_SLUG).values("id")
    historical_agreement_ids = Agreement.history.filter(_BY_SLUG).values("id")
    yield Designation.history.model, Designation.history.filter(actor_id__in=historical_actor_ids)
    yield (
        AgreementParty.history.model,
        AgreementParty.history.filter(agreement_id__in=historical_agreement_ids),
    )
    yield Citation.history.model, Citation.history.filter(SYNTHETIC[Citation])
    for model in DELETE_ORDER:
        if SYNTHETIC[model] is _BY_SLUG:
            yield model.history.model, model.history.filter(_BY_SLUG)


def raw_delete(queryset):
    # One DELETE ... WHERE statement: no rows loaded into Python, no signals,
    # no cascades, no "deleted" history rows (see the module docstring).
    return queryset._raw_delete(queryset.db)


class Command(BaseCommand):
    help = (
        "Remove every synthetic record made by `manage.py synthesize` (slugs and citation keys "
        f"starting with '{SYNTHETIC_PREFIX}'), with its links, citations and history, in one "
        "transaction. The seed and records made by editors are left untouched; if one of them "
        "refers to a synthetic record, nothing is removed and the command says which."
    )

    def handle(self, *args, verbosity=1, **options):
        started = time.monotonic()
        removed = Counter()
        mixed_links = Counter()
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # The statement timeout in settings is for web requests;
                    # deleting hundreds of thousands of rows may take longer.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL statement_timeout = 0")
                problems = blocking_references()
                if problems:
                    raise CommandError(
                        "Nothing was removed: these records, which are not synthetic, refer to "
                        "synthetic ones. Change them to refer to real records, or delete them, "
                        "then run remove_synthetic again.\n  " + "\n  ".join(problems)
                    )
                for historical_model, rows in history_rows():
                    removed[historical_model._meta.db_table] += raw_delete(rows)
                for name, links, mixed in through_links():
                    mixed_count = mixed.count()
                    if mixed_count:
                        mixed_links[name] = mixed_count
                    removed[links.model._meta.db_table] += raw_delete(links)
                for model in DELETE_ORDER:
                    rows = synthetic(model)
                    for name in SELF_REFERENCES[model]:
                        referring = rows.filter(**{f"{name}__isnull": False})
                        removed[model._meta.db_table] += raw_delete(referring)
                    removed[model._meta.db_table] += raw_delete(rows)
        except IntegrityError as error:
            raise CommandError(
                f"Nothing was removed: the database refused the removal ({error}). "
                "A record that is not synthetic probably refers to a synthetic one."
            ) from error
        if sum(removed.values()):
            refresh_planner_statistics()

        if not verbosity:
            return
        total = sum(removed.values())
        if not total:
            self.stdout.write("No synthetic data found; nothing to remove.")
            return
        width = max(len(table) for table in removed)
        for table, count in sorted(removed.items()):
            if count:
                self.stdout.write(f"  {table:<{width}}  {count:>10,}")
        for name, count in sorted(mixed_links.items()):
            self.stdout.write(
                self.style.WARNING(
                    f"  Removed {count:,} {name} links between a real and a synthetic record."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {total:,} synthetic rows in {time.monotonic() - started:.1f} s."
            )
        )
