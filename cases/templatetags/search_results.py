"""Search results with the matched words marked (see cases/search.py)."""

from django import template

from cases.kinds import kind_of
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
    holds a match (or the first that is not empty), with matches marked;
    never the words its label already gives (its title field: a statement's
    words, so a statement has none)."""
    title_field = kind_of(record).title_field
    fields = [field for field in EXCERPT_FIELDS if field != title_field]
    texts = [str(getattr(record, field, "") or "") for field in fields]
    texts = [text for text in texts if text]
    if not texts:
        return ""
    matching = next((text for text in texts if match_spans(text, query)), texts[0])
    return highlight(excerpt_around_match(matching, query), query)
