"""Load the article's records from fixtures/seed.json, once.

Loading is idempotent (records are matched by natural key), but reloading
would overwrite any correction an admin has made since, so it needs --force.
A database loaded from an earlier seed is brought up to this one with
--update instead: each change a public correction with its reason, fields
corrected since left alone (see _seed_revision.py).
Each loaded record gets a history entry, so its history starts at the seed.

Fixtures are saved raw, past every model's own checks (a citation's quote is
checked in `Citation.save()`, which raw saves skip). So once everything is in
place, every loaded object is validated as admin validates it (`full_clean`:
the quote found word for word in its paragraph, stated counts, what a
citation supports, inferences) and every record's shown values must be
supported by a citation or marked as inferred. Any failure rolls the whole
load back, with a message naming each record or citation at fault.
"""

from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases.kinds import KINDS_BY_MODEL
from cases.models import Agreement, AgreementParty, Citation, Source
from cases.provenance import unsupported_fields, unsupported_message

from ._seed_revision import SeedUpdate


class NullOutput:
    def write(self, *args, **kwargs):
        pass


SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
CHANGES_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed_changes.json"
SEED_SOURCE_SLUG = "article-bukele-white-house-visit"


class Command(BaseCommand):
    help = "Load the seed records taken from the article (once; --force to reload)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Reload even if the seed is already there, overwriting corrections to seeded records.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Bring a database loaded from an earlier seed to this one: each change a "
            "public correction with its reason (fixtures/seed_changes.json), leaving fields "
            "corrected since as they are.",
        )
        parser.add_argument(
            "--changes",
            type=Path,
            default=CHANGES_PATH,
            help="Why each record changed, for --update (default: fixtures/seed_changes.json).",
        )
        parser.add_argument(
            "--seed",
            type=Path,
            default=SEED_PATH,
            help="The fixture to load (default: fixtures/seed.json).",
        )

    def handle(
        self,
        *args,
        force=False,
        update=False,
        verbosity=1,
        seed=SEED_PATH,
        changes=CHANGES_PATH,
        **options,
    ):
        loaded_before = Source.objects.filter(slug=SEED_SOURCE_SLUG).exists()
        if update and loaded_before:
            return self.update(seed, changes, verbosity)
        if loaded_before and not force:
            if verbosity:
                self.stdout.write("The seed is already loaded; nothing to do (--force reloads).")
            return
        reason = "Reloaded from the seed" if force else "Loaded from the seed (the article)"
        with transaction.atomic():
            loaded = self.load(seed)
            drop_party_roles_no_longer_in_the_seed(loaded)
            problems = seed_problems(loaded)
            if problems:
                raise CommandError(
                    f"{seed.name} does not load; nothing was saved. Fix these first:\n"
                    + "\n".join(f"- {problem}" for problem in problems)
                )
            for model, objects in loaded.items():
                history = getattr(model, "history", None)
                if history is None:
                    continue
                if not force:
                    # The records' history starts when the seed says they were
                    # last updated, so "data as of" on the home page, briefs'
                    # as-of times and the history tell one story.
                    for obj in objects:
                        obj._history_date = getattr(obj, "updated_at", None) or timezone.now()
                elif hasattr(model, "updated_at"):
                    # A reload is a change made now, after any correction.
                    now = timezone.now()
                    model.objects.filter(pk__in=[obj.pk for obj in objects]).update(updated_at=now)
                    for obj in objects:
                        obj.updated_at = now
                history.bulk_history_create(objects, default_change_reason=reason, update=force)
        total = sum(len(objects) for objects in loaded.values())
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Loaded {total} seed records from {seed.name}."))

    def update(self, seed, changes, verbosity):
        """load_seed --update (see _seed_revision.py): all of it, or, if the
        result would not load as a seed does, none of it."""
        with transaction.atomic():
            revision = SeedUpdate(seed, changes, self.stdout if verbosity else NullOutput())
            touched = revision.run()
            loaded = {
                model: list(model._base_manager.filter(pk__in=[obj.pk for obj in objects]))
                for model, objects in touched.items()
            }
            problems = seed_problems(loaded)
            if problems:
                raise CommandError(
                    f"{seed.name} does not apply; nothing was changed. Fix these first:\n"
                    + "\n".join(f"- {problem}" for problem in problems)
                )
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Brought the records up to {seed.name}."))

    def load(self, path):
        """What loaddata does, keeping hold of the saved objects for their history."""
        loaded = defaultdict(list)
        deferred = []
        with path.open(encoding="utf-8") as stream:
            for deserialized in serializers.deserialize(
                "json", stream, handle_forward_references=True
            ):
                deserialized.save()
                loaded[type(deserialized.object)].append(deserialized.object)
                if deserialized.deferred_fields:
                    deferred.append(deserialized)
        for deserialized in deferred:
            deserialized.save_deferred_fields()
        return loaded


def drop_party_roles_no_longer_in_the_seed(loaded):
    """A party role is named by its words, so a role the seed rewords or drops
    (Bukele's confirmation, once filed as a role) would outlive a reload beside
    its correction. A seeded agreement's parties are the seed's, as its other
    fields are."""
    kept = [party.pk for party in loaded.get(AgreementParty, ())]
    for agreement in loaded.get(Agreement, ()):
        for stale in agreement.party_roles.exclude(pk__in=kept):
            stale._change_reason = "Reloaded from the seed, which no longer holds this role"
            stale.delete()


def describe(obj):
    """How a message names a loaded object: its kind and its key in the seed."""
    if isinstance(obj, Citation):
        return f"citation “{obj.key}”"
    return f"{obj._meta.verbose_name} “{'/'.join(map(str, obj.natural_key()))}”"


def seed_problems(loaded):
    """What admin would refuse in the loaded objects, one line each."""
    problems = []
    for model, objects in loaded.items():
        kind = KINDS_BY_MODEL.get(model)
        for obj in objects:
            try:
                obj.full_clean()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    where = "" if field == "__all__" else f"{field}: "
                    problems.extend(f"{describe(obj)}: {where}{message}" for message in messages)
            if kind is not None and kind.supported_fields:
                problems.extend(
                    f"{describe(obj)}: {unsupported_message(model, name)}"
                    for name in unsupported_fields(obj, obj.citations.all())
                )
    return problems
