"""How records are named and described in links, lists and search results:
template tags over cases/presentation.py, so a template says what a Python
surface says."""

from django import template
from django.utils.text import Truncator

from cases import pdf, presentation
from cases.kinds import kind_of

register = template.Library()


@register.filter
def record_label(record):
    """A record's name in a link (a statement: its speaker and its words, a
    paraphrase never in quotation marks)."""
    return presentation.record_label(record)


@register.simple_tag
def record_link(record, show_date=False, full=False):
    """A linked record name with its claim status, occurrence and draft
    badges; `full` (printed briefs) never shortens a statement's words."""
    length = None if full else presentation.LABEL_LENGTH
    return presentation.record_link_html(record, show_date=show_date, length=length)


@register.simple_tag
def record_badges(record):
    return presentation.badges_html(record)


@register.filter
def stated_date(record):
    """A date in words, with its caveat (inferred, or the source's words when it gives no date)."""
    return presentation.stated_date_text(record)


@register.filter
def stated_date_iso(record):
    return presentation.stated_date_iso(record)


@register.filter
def label_marked(record):
    """The record's label, in a span marked with its language where that is
    not the page's (a source's English title on a Spanish page)."""
    return presentation.in_language(
        presentation.record_label(record), presentation.label_language(record)
    )


@register.filter
def wording(record, name):
    """Field `name` of the newsroom's wording in the reader's language where
    written, else its English, marked as English (presentation.wording_html)."""
    return presentation.wording_html(record, name)


@register.filter
def kind_name(record):
    """The kind of record in words: transfer, detainee group, …"""
    return kind_of(record).label


@register.filter
def excerpt(record, words=30):
    """The start of a record's main text, for search results; never the words
    its label already gives (its title field: a statement's words)."""
    title_field = kind_of(record).title_field
    for field in ("summary", "description", "accusation", "role", "text"):
        text = getattr(record, field, "") if field != title_field else ""
        if text:
            return Truncator(text).words(words)
    return ""


@register.filter
def short_source_name(source):
    """Publisher and short title, for a note (cases/pdf.py)."""
    return pdf.short_source_name(source)


@register.simple_tag
def kind_words(count, singular, plural):
    """A kind's name for `count` records ("1 transfer", "2 transfers"), so a
    translatable sentence names one variable in both its forms (gettext
    checks that each translation's placeholders are its plural's)."""
    return singular if count == 1 else plural


@register.simple_tag
def changed_words(change):
    """A change's before → after with the changed words marked."""
    return presentation.changed_words_html(
        change["before"], change["after"], change.get("language")
    )


@register.filter
def note_mark(numbers):
    """A superscript note mark ("[2]", "[1,3]"), numbers in order, set off
    from what it follows (cases/pdf.py)."""
    return pdf.note_mark_html(numbers)
