"""Template filters for the reader-facing pieces: whose claim a status is."""

from django import template

from cases import presentation

register = template.Library()


@register.filter
def claim_attribution(record):
    """Whose claim a record's status is, where the record says (see
    cases.presentation.claim_attribution)."""
    return presentation.claim_attribution(record)


@register.simple_tag(takes_context=True)
def absolute_url(context, record):
    """The record's permalink with this site's scheme and host, for citing."""
    return context["request"].build_absolute_uri(record.get_absolute_url())
