"""What each entry of a record's edit history says beyond django-simple-history's
own columns: the kind of change (as a newsroom names it) and the changes to
linked records and citations, which the history row alone does not keep.

Stored as real columns on every historical model (simple-history's `bases`
option), not encoded into the reason text: the corrections log filters on the
kind in SQL, admin shows it as a choice, and a reason stays the editor's words.
"""

from django.db import models
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record


class ChangeKind(models.TextChoices):
    # The newsroom's words: a correction fixes a fact that was wrong, a
    # clarification fixes one that was misleading, an update adds new
    # information. A minor edit (a typo, a slug) is kept in the history with
    # its reason but left off the public log.
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    UPDATE = "update", "Update"
    MINOR = "minor", "Minor edit (not published)"


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

    class Meta:
        abstract = True


@receiver(pre_create_historical_record)
def record_change_kind(sender, instance, history_instance, **kwargs):
    """Admin puts the kind the editor chose on the instance, as simple-history
    expects the reason (`_change_reason`); carry it into the history row."""
    kind = getattr(instance, "_change_kind", None)
    if kind and hasattr(history_instance, "history_change_kind"):
        history_instance.history_change_kind = kind


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
        return "a record not yet published"
    return str(record)


def field_label(model, name):
    from django.utils.text import capfirst

    return capfirst(str(model._meta.get_field(name).verbose_name))
