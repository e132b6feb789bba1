"""Search results with the matched words marked (see cases/search.py)."""

from django import template

from cases.kinds import kind_of
from cases.presentation import label_language, lang_attribute
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
    text = _excerpt_source(record, query)[0]
    return highlight(excerpt_around_match(text, query), query) if text else ""


@register.filter
def excerpt_language(record, query):
    """The language of the text highlighted_excerpt() shows."""
    return _excerpt_source(record, query)[1]


@register.filter
def label_lang(record):
    """` lang="en"` where the record's label is not in the page's language."""
    return lang_attribute(label_language(record))


def _excerpt_source(record, query):
    """(text, language) of the field an excerpt is taken from: the newsroom's
    Spanish version of it for a Spanish reader, where written."""
    title_field = kind_of(record).title_field
    fields = [field for field in EXCERPT_FIELDS if field != title_field]
    texts = []
    for field in fields:
        if field in getattr(record, "spanish_versions", ()):
            text, language = record.wording(field)
        else:
            text, language = getattr(record, field, ""), "en"
        if text:
            texts.append((str(text), language))
    if not texts:
        return "", "en"
    return next((pair for pair in texts if match_spans(pair[0], query)), texts[0])
