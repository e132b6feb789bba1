"""A table's facet options, rendered in one go (templates/cases/record_list.html
and includes/filters.html). A facet lists every value the visible records
hold: 202 agreements and 52 facilities at 100,000 transfers, each listed
twice, as a link and in the form. A template loop over each option's label,
count and link was the larger part of the table page's rendering; these
write the same HTML, escaped and localized as the template did."""

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _number(count):
    """{{ count }} in a template: localized as the page's language writes
    numbers (an integer as it is, unless thousands are grouped)."""
    if type(count) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(count)
    return conditional_escape(localize(count))


@register.filter
def facet_select_options(facet):
    """The <option>s of a facet's <select>, each with its count."""
    return mark_safe(
        "".join(
            '<option value="{}"{}>{}{}</option>'.format(
                conditional_escape(option.value),
                " selected" if option.selected else "",
                conditional_escape(option.label),
                "" if option.count is None else f" ({_number(option.count)})",
            )
            for option in facet.options
        )
    )


@register.filter
def facet_option_link(option):
    """An option not chosen, in a facet's list of links: a link that
    filters by it, and its count."""
    count = option["count"]
    return mark_safe(
        '<a href="{}">{}</a>{}'.format(
            conditional_escape(option["url"]),
            conditional_escape(option["label"]),
            "" if count is None else f' <span class="facet-count">{_number(count)}</span>',
        )
    )
