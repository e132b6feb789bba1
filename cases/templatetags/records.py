"""How records are named and described in links, lists and search results."""

from django import template
from django.utils.text import Truncator

from cases.querysets import shown_relation

register = template.Library()


@register.filter
def record_label(record):
    """A record's name in a link. A statement is named by its words, and by its
    speaker only when the reader may see the speaker's record (the speaker is
    prefetched that way; see StatementQuerySet.for_listing)."""
    if record._meta.model_name == "statement":
        words = Truncator(record.text).chars(90)
        speaker = shown_relation(record, "speaker")
        return f"{speaker}: “{words}”" if speaker else f"“{words}”"
    return str(record)


@register.filter
def kind_name(record):
    """The kind of record in words: transfer, detainee group, …"""
    return record._meta.verbose_name


@register.filter
def excerpt(record, words=30):
    """The start of a record's main text, for search results. (A statement's
    words are already its label.)"""
    if record._meta.model_name == "statement":
        return ""
    for field in ("summary", "description", "accusation", "role", "text"):
        text = getattr(record, field, "")
        if text:
            return Truncator(text).words(words)
    return ""
