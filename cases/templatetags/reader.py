"""Template filters for the reader-facing pieces: whose claim a status is."""

from django import template
from django.core.exceptions import FieldDoesNotExist

register = template.Library()


@register.filter
def claim_attribution(record):
    """Whose claim a record's status is, where the record says: "by <actor>"
    for a detainee group's accuser, "according to <report>" for the reports
    its quotes are attributed to. Empty otherwise, so the badge never names
    anyone the data does not.

    Reads only what was prefetched (for_detail on a record's page,
    with_claim_attribution in tables and feeds): never a query, never a
    hidden record. Where nothing was loaded (search results, the timeline)
    it says nothing."""
    parts = []
    accuser = _loaded_relation(record, "alleged_by")
    if accuser is not None:
        parts.append(f"by {accuser}")
    reports = []
    citations = getattr(record, "attributed_citations", None)
    if citations is None:
        citations = _loaded_list(record, "citations")
    for citation in citations:
        source = _cached(citation, "attributed_to")
        if source is not None:
            name = source.publisher or source.title
            if name not in reports:
                reports.append(name)
    if reports:
        parts.append(f"according to {' and '.join(reports)}")
    return ", ".join(parts)


def _loaded_relation(record, name):
    try:
        field = record._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field.get_cached_value(record, default=None)


def _loaded_list(record, name):
    return getattr(record, f"visible_{name}", None) or []


def _cached(instance, name):
    return instance._meta.get_field(name).get_cached_value(instance, default=None)


@register.simple_tag(takes_context=True)
def absolute_url(context, record):
    """The record's permalink with this site's scheme and host, for citing."""
    return context["request"].build_absolute_uri(record.get_absolute_url())
