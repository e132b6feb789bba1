"""schema.org JSON-LD in a page's head (cases/linked_data.py)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from cases import linked_data
from cases.kinds import KINDS_BY_NAME

register = template.Library()


def _script(document):
    # as_script_text() escapes "<", ">" and "&": nothing in it can end the element.
    text = mark_safe(linked_data.as_script_text(document))  # noqa: S308
    return format_html('<script type="application/ld+json">{}</script>', text)


@register.simple_tag(takes_context=True)
def record_json_ld(context):
    """A record page's JSON-LD: the record, its claims and their sources."""
    kind = KINDS_BY_NAME[context["kind_name"]]
    document = linked_data.record_document(
        context["record"], kind, context.get("citations") or (), context["request"]
    )
    return _script(document)


@register.simple_tag(takes_context=True)
def table_json_ld(context):
    """A table page's JSON-LD: the table as a Dataset with its downloads."""
    request = context["request"]
    kind = KINDS_BY_NAME[request.resolver_match.url_name.removesuffix("_list")]
    return _script(linked_data.table_document(kind, request))
