"""What each entry of a record's edit history says beyond django-simple-history's
own columns: the kind of change (as a newsroom names it) and the changes to
linked records and citations, which the history row alone does not keep.

Stored as real columns on every historical model (simple-history's `bases`
option), not encoded into the reason text: the corrections log filters on the
kind in SQL, admin shows it as a choice, and a reason stays the editor's words.
"""

import functools

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _
from simple_history.signals import pre_create_historical_record

# The GET parameter that asks for a page as it stood at a moment (cases/asof.py);
# the page cache keys such a page on every table (cases/response_cache.py).
AS_OF_PARAM = "as_of"


class ChangeKind(models.TextChoices):
    # The newsroom's words: a correction fixes a fact that was wrong, a
    # clarification fixes one that was misleading, an update adds new
    # information. A minor edit (a typo, a slug) is kept in the history with
    # its reason but left off the public log.
    CORRECTION = "correction", _("Correction")
    CLARIFICATION = "clarification", _("Clarification")
    UPDATE = "update", _("Update")
    MINOR = "minor", _("Minor edit (not published)")


# The kinds a change to a fact may be: never minor (see refuse_silent_change).
PUBLIC_CHANGE_KINDS = [kind for kind in ChangeKind if kind != ChangeKind.MINOR]


class ChangeHistory(models.Model):
    """Extra columns of every historical model (see HistoricalRecords(bases=...))."""

    # History written before kinds existed, and by commands, were all listed
    # as corrections; the default keeps them so.
    history_change_kind = models.CharField(
        "kind of change",
        max_length=15,
        choices=ChangeKind.choices,
        default=ChangeKind.CORRECTION,
    )
    # Changes to linked records (many-to-many) and citations saved with this
    # version, in words: [{"field": ..., "before": ..., "after": ...}]. Filled
    # in by admin, which is where such changes are made.
    history_relation_changes = models.JSONField(default=list, blank=True)
    # Worked out once, when the row is written (see classify_change), so the
    # public log is a plain indexed filter rather than a window over every
    # field of every version, which cost 250-320 ms per page at seed size.
    history_is_public_change = models.BooleanField(
        "listed on the public corrections log", default=False, db_index=True
    )
    history_previous_id = models.BigIntegerField(
        "previous version", null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True


# History rows written by commands rather than by an editor correcting a
# record (see the load_seed and synthesize commands); matched as prefixes.
NOT_CORRECTION_REASONS = (
    "Loaded from the seed",
    "Reloaded from the seed",
    "Synthetic data for load testing",
)
# For the newsroom only: a change to these is never a public correction, and
# they are never named in the log.
INTERNAL_FIELDS = ("internal_note",)
# What no reader relies on: the only fields a minor edit may change on a
# published record (besides spacing). Every other field is a fact: claim
# status, dates, counts, relations, quotes, publication status, titles and
# summaries in either language. Listed as the exceptions, so a field added
# later is a fact until someone decides otherwise.
NOT_FACT_FIELDS = (*INTERNAL_FIELDS, "slug")


def same_words(before, after):
    """Whether two values differ at most in spacing (text) or not at all."""
    if isinstance(before, str) and isinstance(after, str):
        return before.split() == after.split()
    return before == after


def changed_facts(model, before, after):
    """Labels of `model`'s fact fields whose values differ between the
    mappings `before` and `after` ({field attname: value}), spacing aside."""
    labels = []
    for field in model._meta.concrete_fields:
        if field.name in NOT_FACT_FIELDS or field.primary_key or not field.editable:
            continue
        name = field.attname
        if name in before and name in after and not same_words(before[name], after[name]):
            labels.append(capfirst(str(field.verbose_name)))
    return labels


def is_public(record):
    """Whether readers see `record`, as far as a change to it goes: a row
    without a publication status of its own (a citation) is as public as the
    record it belongs to where it names one, else treated as public."""
    status = getattr(record, "publication_status", None)
    if status is None:
        owner = getattr(record, "record", None)
        return owner is None or is_public(owner)
    return status == "published"


def minor_edit_error(fields):
    """The refusal of a minor edit that changes facts (`fields`, their labels)."""
    return ValidationError(
        gettext(
            "A minor edit may only change what no reader relies on (the internal note, "
            "the slug, spacing). This changes %(fields)s, which readers rely on: choose "
            "correction, clarification or update, so the change is published."
        )
        % {"fields": ", ".join(fields)},
        code="minor_changes_facts",
    )


def history_fields(history_model):
    """(public, internal) names of the record's fields a history row keeps
    that admin edits (timestamps and the key are not edits)."""
    tracked = [
        field.name
        for field in history_model.tracked_fields
        if field.editable and not field.primary_key
    ]
    public = [name for name in tracked if name not in INTERNAL_FIELDS]
    return public, [name for name in tracked if name in INTERNAL_FIELDS]


def classify_change(row, previous):
    """Whether history row `row` (with `previous`, the row before it, or
    None) is a public correction: a change while the record was already
    published (so neither the first publication nor edits to a draft count),
    not a minor edit nor written by a command, that changed a public field,
    a linked record or a citation, or, with a reason given, something history
    does not keep. A change to an internal note alone is not one."""
    if previous is None or row.history_type != "~":
        return False
    if getattr(previous, "publication_status", "published") != "published":
        return False
    reason = (row.history_change_reason or "").strip()
    if row.history_change_kind == ChangeKind.MINOR or reason.startswith(NOT_CORRECTION_REASONS):
        return False
    public, internal = history_fields(type(row))

    def changed(names):
        return any(getattr(row, name) != getattr(previous, name) for name in names)

    # Compare stored values (attnames), so a foreign key is its id.
    public = [type(row)._meta.get_field(name).attname for name in public]
    return bool(
        changed(public) or row.history_relation_changes or (reason and not changed(internal))
    )


@receiver(pre_create_historical_record)
def record_change_kind(sender, instance, history_instance, **kwargs):
    """Admin puts the kind the editor chose on the instance, as simple-history
    expects the reason (`_change_reason`); carry it into the history row, and
    decide once whether the row belongs on the public log."""
    if not hasattr(history_instance, "history_change_kind"):
        return
    kind = getattr(instance, "_change_kind", None)
    if kind:
        history_instance.history_change_kind = kind
    previous = (
        sender.objects.filter(id=instance.pk).order_by("-history_date", "-history_id").first()
    )
    history_instance.history_previous_id = previous.history_id if previous else None
    history_instance.history_is_public_change = classify_change(history_instance, previous)


@receiver(pre_save)
def refuse_silent_change(sender, instance, raw=False, **kwargs):
    """The last guard, whatever path saves (a form, a bulk action, a revert,
    a command): a minor edit of a published record may not change a fact.
    Admin's forms refuse it first with the same message; this stops the save
    before anything is written, so no path can publish a fact off the log.
    Only a save marked minor (as admin marks it) costs a query."""
    if raw or getattr(instance, "_change_kind", None) != ChangeKind.MINOR or not instance.pk:
        return
    saved = type(instance)._base_manager.filter(pk=instance.pk).first()
    if saved is None or not is_public(saved):
        return
    attnames = [field.attname for field in type(instance)._meta.concrete_fields]
    facts = changed_facts(
        type(instance),
        {name: getattr(saved, name) for name in attnames},
        {name: getattr(instance, name) for name in attnames},
    )
    if facts:
        raise minor_edit_error(facts)


# --- Changes in words ------------------------------------------------------------
# The History page and the public log say what a change did as a reader would
# put it: "Status: Under consideration → Proposed", never a truncated repr.

# Kept as written in the history (in English, whoever saved it) and put in
# the reader's language when shown (in_reader_words).
EMPTY = "(empty)"
REMOVED = "(removed)"


def in_reader_words(words):
    """A value as kept in the history, in the reader's language where it is
    one of the log's own words ("(empty)") rather than the record's."""
    if words == EMPTY:
        return gettext("(empty)")
    if words == REMOVED:
        return gettext("(removed)")
    return words


def value_in_words(field, value):
    """`value` of model field `field` as words, in the reader's language: a
    choice's label, yes/no, a date written out, a linked record's name (pass
    the record, or None)."""
    if value is None or value == "":
        return gettext("(empty)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, models.DateTimeField):
        return date_format(value, "j F Y, H:i")
    if isinstance(field, models.DateField):
        return date_format(value, "j F Y")
    return str(value)


def value_language(field):
    """The language a field's value is written in, where it is the records'
    own words (None where the value is put in the reader's words: a
    choice, a date, yes or no, a linked record's name)."""
    if (
        field.is_relation
        or field.choices
        or not isinstance(field, (models.CharField, models.TextField))
    ):
        return None
    return "es" if field.name.endswith("_es") else "en"


def related_label(record):
    """A linked record's name in a change description; a draft is not named,
    since the description can end up on the public log."""
    if record is None:
        return EMPTY
    if getattr(record, "publication_status", "published") != "published":
        return gettext("a record not yet published")
    return str(record)


def field_label(model, name):
    return capfirst(str(model._meta.get_field(name).verbose_name))


def label_in_reader_words(label):
    """A field's or a row's label kept in a history's relation changes (in
    English: see stored_label) in the reader's language."""
    return _reader_labels(get_language() or "en").get(label, label)


def stored_label(lazy_label):
    """A label as kept in the history, whatever the language of whoever
    saved: its English, so any reader's language can be given it later."""
    with override("en"):
        return capfirst(str(lazy_label))


@functools.lru_cache(maxsize=8)
def _reader_labels(language):
    """{English label: the label in `language`} for every model and field."""
    from django.apps import apps

    labels = {}
    for model in apps.get_app_config("cases").get_models():
        lazy = [model._meta.verbose_name, model._meta.verbose_name_plural]
        lazy += [
            field.verbose_name
            for field in model._meta.get_fields()
            if hasattr(field, "verbose_name")
        ]
        for text in lazy:
            with override(language):
                labels[stored_label(text)] = capfirst(str(text))
    return labels


# --- Linked records, named at read time --------------------------------------------
# A change to linked records or inline rows is kept in words for the History
# page, with the records each side names ("refs": [[model label, pk], ...]),
# so the public log can name them afresh for each reader through the same
# visibility rule as every other surface: a record set back to draft after
# the change, or a draft a row points to, is never named there.

NAMES_RECORDS = "records"  # each side lists linked records (many-to-many)
NAMES_A_ROW = "row"  # each side is one inline row, which names records


def refs_of(records):
    """[[model label, pk], ...] for the records that can be drafts."""
    return [
        [record._meta.label_lower, record.pk]
        for record in records
        if record is not None and hasattr(record, "publication_status")
    ]


def records_a_row_names(row):
    """The records an inline row points to (a citation's source, a party's
    actor, a figure's citation's source), as far as they can be drafts."""
    named = []
    for field in row._meta.concrete_fields:
        if not field.many_to_one:
            continue
        target = getattr(row, field.name, None)
        if target is None:
            continue
        if hasattr(target, "publication_status"):
            named.append(target)
        else:
            # A row pointing to another row (a figure to its citation).
            named += [
                getattr(target, inner.name, None)
                for inner in target._meta.concrete_fields
                if inner.many_to_one
            ]
    return named


def relation_change(label, before, after, before_records=(), after_records=(), names=NAMES_A_ROW):
    """One entry of history_relation_changes."""
    return {
        "field": label,
        "before": before,
        "after": after,
        "names": names,
        "before_refs": refs_of(before_records),
        "after_refs": refs_of(after_records),
    }
