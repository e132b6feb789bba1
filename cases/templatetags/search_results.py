"""Search results with the matched words marked (see cases/search.py)."""

from django import template

from cases.search import excerpt_around_match, highlight, match_spans
from cases.templatetags.records import record_label

register = template.Library()

# Where a result's words are shown from, after its label, in this order.
EXCERPT_FIELDS = ("summary", "description", "accusation", "role", "financial_terms", "text")


@register.filter
def highlighted_label(record, query):
    """The record's name in a link, with the words the search matched marked.
    (A statement's label puts its words in quotation marks; a mark only ever
    covers whole words inside them.)"""
    return highlight(record_label(record), query)


@register.filter
def highlighted_excerpt(record, query):
    """About thirty words of the record's main text, from the first field that
    holds a match (or the first that is not empty), with matches marked. A
    statement's words are its label, so it has none."""
    if record._meta.model_name == "statement":
        return ""
    texts = [str(getattr(record, field, "") or "") for field in EXCERPT_FIELDS]
    texts = [text for text in texts if text]
    if not texts:
        return ""
    matching = next((text for text in texts if match_spans(text, query)), texts[0])
    return highlight(excerpt_around_match(matching, query), query)
