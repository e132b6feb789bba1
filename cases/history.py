"""What each entry of a record's edit history says beyond django-simple-history's
own columns: the kind of change (as a newsroom names it) and the changes to
linked records and citations, which the history row alone does not keep.

Stored as real columns on every historical model (simple-history's `bases`
option), not encoded into the reason text: the corrections log filters on the
kind in SQL, admin shows it as a choice, and a reason stays the editor's words.
"""

from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.signals import pre_create_historical_record


class ChangeKind(models.TextChoices):
    # The newsroom's words: a correction fixes a fact that was wrong, a
    # clarification fixes one that was misleading, an update adds new
    # information. A minor edit (a typo, a slug) is kept in the history with
    # its reason but left off the public log.
    CORRECTION = "correction", _("Correction")
    CLARIFICATION = "clarification", _("Clarification")
    UPDATE = "update", _("Update")
    MINOR = "minor", _("Minor edit (not published)")


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


# --- Changes in words ------------------------------------------------------------
# The History page and the public log say what a change did as a reader would
# put it: "Status: Under consideration → Proposed", never a truncated repr.

EMPTY = "(empty)"


def value_in_words(field, value):
    """`value` of model field `field` as words: a choice's label, yes/no, a
    date written out, a linked record's name (pass the record, or None)."""
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField):
        return value.strftime("%-d %B %Y, %H:%M")
    if isinstance(field, models.DateField):
        return value.strftime("%-d %B %Y")
    return str(value)


def related_label(record):
    """A linked record's name in a change description; a draft is not named,
    since the description can end up on the public log."""
    if record is None:
        return EMPTY
    if getattr(record, "publication_status", "published") != "published":
        return gettext("a record not yet published")
    return str(record)


def field_label(model, name):
    from django.utils.text import capfirst

    return capfirst(str(model._meta.get_field(name).verbose_name))
