"""Briefs as the records stood at an earlier time (`?as_of=2026-11-20T12:00`).

Built from the edit history (django-simple-history): each record's own fields
are read from its latest history row at or before that time and laid over the
record as it is loaded today. History does not keep a record's links to other
records (many-to-many, reverse relations) or its citations, so those are
shown as they are now; every as-of brief says so (HISTORY_LIMITS).

What changed since is the corrections log's own account (corrections_log and
describe_corrections in cases/querysets.py), cut at that time, reasons and all.
"""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.constants import EMPTY_VALUES

from .filters import SearchFilter
from .history import AS_OF_PARAM
from .pdf import BriefRefused
from .querysets import corrections_log, describe_corrections, sees_drafts

HISTORY_LIMITS = gettext_lazy(
    "The edit history keeps each record's own fields (titles, dates, numbers, claim and "
    "publication status…) but not its links to other records or its citations: those are "
    "shown as they are now."
)
# How much of a bad value a message repeats back.
ECHO_LENGTH = 40
# The name of a format setting, read in the reader's language by
# django.utils.formats.date_format (tracker/formats/).
MOMENT_FORMAT = "DATETIME_FORMAT"
# The offsets the world's clocks use (UTC−12:00 to UTC+14:00). Python takes
# up to a day either way, but PostgreSQL refuses past ±15:59: a wider one is
# refused here with a message rather than failing in the database.
LARGEST_OFFSET = timedelta(hours=14)


# "As it stood before a correction": history rows are stamped to the microsecond.
JUST_BEFORE = timedelta(microseconds=1)


def brief_url_before(record, moment):
    """The record's PDF brief as the record stood just before `moment` (a
    correction's time)."""
    query = urlencode({AS_OF_PARAM: (moment - JUST_BEFORE).isoformat()})
    return f"{record.get_absolute_url()}brief.pdf?{query}"


def requested_moment(request):
    """The time `?as_of=` asks for, aware and in UTC, or None for "now". A
    bare date means the end of that day in the tracker's time zone. Raises
    BriefRefused (400) for a value that is not a time, one with an offset no
    clock uses, or one in the future."""
    raw = request.GET.get(AS_OF_PARAM, "").strip()
    if not raw:
        return None
    moment = _parsed_moment(raw)
    if moment is None:
        raise BriefRefused(
            _(
                "“%(value)s” is not a time. Give one as 2026-11-20T12:00 "
                "(or a day, 2026-11-20), or leave out as_of for the records as they are now."
            )
            % {"value": raw[:ECHO_LENGTH]}
        )
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > LARGEST_OFFSET:
        raise BriefRefused(
            _(
                "“%(value)s” has a time zone offset no clock uses: give one between "
                "−12:00 and +14:00, or none for the tracker's own time zone."
            )
            % {"value": raw[:ECHO_LENGTH]}
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        # A time at the very edge of the calendar (year 1 or 9999) that the
        # time zone pushes past it.
        raise BriefRefused(
            _("“%(value)s” is too far from today to look up.") % {"value": raw[:ECHO_LENGTH]}
        ) from None
    if moment > timezone.now():
        raise BriefRefused(
            _(
                "%(moment)s is in the future: a brief can show the records as they "
                "stood at an earlier time, or as they are now (leave out as_of)."
            )
            % {"moment": format_moment(moment)}
        )
    return moment


def _parsed_moment(raw):
    """The datetime `raw` names, or None. A bare day is read first: Django's
    parse_datetime would take "2026-11-20" as its first instant, and the
    end of the day is what a reader asking for a day means."""
    try:
        day = parse_date(raw)
        if day is not None:
            return datetime.combine(day, time.max)
        return parse_datetime(raw)
    except ValueError:
        return None


def format_moment(moment):
    return date_format(timezone.localtime(moment), MOMENT_FORMAT)


def history_rows(model, pks, moment):
    """{pk: the latest history row at or before `moment`} for records that
    existed then (not yet created, or deleted by then: left out)."""
    rows = (
        model.history.filter(id__in=list(pks), history_date__lte=moment)
        .latest_of_each()
        .exclude(history_type="-")
    )
    return {row.id: row for row in rows}


def as_it_stood(records, model, moment, user):
    """`records` (loaded today, with their relations) as they stood at
    `moment`: their own fields read from history; those that did not exist
    then, or were drafts then for a reader who does not see drafts, left out.
    A foreign key that pointed elsewhere then is loaded again, as far as the
    reader may see it (one query per such key, none when none changed)."""
    rows = history_rows(model, (record.pk for record in records), moment)
    shows_drafts = sees_drafts(user)
    kept, changed_keys = [], {}
    for record in records:
        row = rows.get(record.pk)
        if row is None or (not shows_drafts and row.publication_status != "published"):
            continue
        for field in model._meta.concrete_fields:
            if field.primary_key or not hasattr(row, field.attname):
                continue
            then = getattr(row, field.attname)
            if field.is_relation and then != getattr(record, field.attname):
                changed_keys.setdefault(field, []).append(record)
            # Setting a key's id drops the cached record when it differs.
            setattr(record, field.attname, then)
        kept.append(record)
    for field, changed in changed_keys.items():
        ids = {getattr(record, field.attname) for record in changed} - {None}
        related = field.related_model.objects.visible_to(user).in_bulk(ids) if ids else {}
        for record in changed:
            field.set_cached_value(record, related.get(getattr(record, field.attname)))
    return kept


def record_as_it_stood(record, model, moment, user):
    """One record as it stood at `moment`; BriefRefused when it was not in
    the tracker then (or not yet public, for a reader who sees no drafts)."""
    kept = as_it_stood([record], model, moment, user)
    if kept:
        return kept[0]
    first = model.history.filter(id=record.pk).order_by("history_date").first()
    message = _(
        "This %(kind)s was not in the tracker yet (or not yet public) on %(moment)s, "
        "so there is no brief of it as it stood then."
    ) % {"kind": model._meta.verbose_name, "moment": format_moment(moment)}
    if first:
        message += " " + _("It was first recorded on %(moment)s.") % {
            "moment": format_moment(first.history_date)
        }
    raise BriefRefused(message)


def last_corrected_at(corrected_at, moment):
    """The newest of the times `corrected_at` (newest first) at or before
    `moment`: when the record was last corrected as it stood then."""
    return next((when for when in corrected_at if when <= moment), None)


def changes_since(querysets, moment, user):
    """The corrections log's entries for `querysets` made after `moment`,
    newest first, with what changed and the reason given."""
    newer = []
    for row in corrections_log(querysets):
        if row["corrected_at"] <= moment:
            break
        newer.append(row)
    return describe_corrections(newer, user)


def filter_as_it_stood(filterset, moment, user):
    """The rows of a table (a bound, valid FilterSet over today's rows) whose
    own fields matched the filters at `moment`, as they stood then, and the
    labels of the filters that could only be applied to today's records (text
    search, and filters through linked records, which history does not keep)."""
    model = filterset.queryset.model
    history = (
        model.history.filter(history_date__lte=moment).latest_of_each().exclude(history_type="-")
    )
    if not sees_drafts(user):
        history = history.filter(publication_status="published")
    history_model = history.model
    current = filterset.queryset
    applied_today = []
    values = filterset.form.cleaned_data if filterset.is_bound else {}
    for name, value in values.items():
        if value in EMPTY_VALUES:
            continue
        flt = filterset.filters[name]
        if _kept_in_history(history_model, flt):
            history = flt.filter(history, value)
        else:
            current = flt.filter(current, value)
            applied_today.append(str(flt.label or name))
    rows = list(current.filter(pk__in=history.values("id")))
    return as_it_stood(rows, model, moment, user), applied_today


def _kept_in_history(history_model, flt):
    if isinstance(flt, SearchFilter):
        return False
    name = flt.field_name.split("__")[0]
    try:
        field = history_model._meta.get_field(name)
    except FieldDoesNotExist:  # a relation history does not keep
        return False
    return not field.many_to_many and not field.one_to_many
