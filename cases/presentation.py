"""How a record's values read, with their caveats, on every surface.

One function per way a value can read (`shows` in cases/kinds.py): a stated
count keeps the source's words and says when no number is stated, a date says
when it is inferred or not given, a paraphrase is never put in quotation marks
while a direct quote always is, a scheduled event says so, and every linked
record carries its claim status. The record page, the table cells, the
timeline, the home page and the PDF briefs all render from here, so a caveat
cannot be shown on one of them and dropped on another. (The exports carry the
same facts as typed data: cases/exports.py.)

Related records are read with shown_relation(), i.e. only as far as the
querysets prefetched them for the reader: never a query, never a draft the
reader may not see.
"""

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from .kinds import kind_of
from .models import AgreementParty, get_language_code
from .querysets import list_total, shown_relation

NOT_PUBLIC = gettext_lazy("Not public yet")
SHORTENED_MARK = "…"
# How long a label or a table cell may grow before it is shortened (at a word).
LABEL_LENGTH = 90
CELL_LENGTH = 160


# --- Words ------------------------------------------------------------------


def shorten(text, length):
    """`text` cut at a word boundary to at most `length` characters, and
    whether it was cut. Never cuts a word in half."""
    text = " ".join(str(text).split())
    if len(text) <= length:
        return text, False
    cut = text[: length + 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut, True


def stated_date_text(record):
    """A date as the source gives it, in words: '14 April 2025 (inferred)',
    '“the most recent operation” (the source gives no date)'."""
    if record.date:
        text = date_at_precision(record.date, record.date_precision)
        return _("%(date)s (inferred)") % {"date": text} if record.date_is_inferred else text
    if record.date_stated:
        return _("“%(stated)s” (the source gives no date)") % {"stated": record.date_stated}
    return _("Date not stated")


# A date at the precision a source gives it, in the reader's language's own
# format (tracker/formats): "14 April 2025", "14 de abril de 2025".
PRECISION_FORMATS = {"day": "DATE_FORMAT", "month": "YEAR_MONTH_FORMAT", "year": "Y"}


def date_at_precision(value, precision):
    return formats.date_format(value, PRECISION_FORMATS[precision])


ISO_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def stated_date_iso(record):
    """The date at its precision, as ISO 8601 writes it: 2025, 2025-04, 2025-04-14."""
    return record.date.strftime(ISO_FORMATS[record.date_precision]) if record.date else None


def stated_count_text(number, stated):
    """'hundreds (the source states no number)', '17'."""
    if number is None:
        if stated:
            return _("%(stated)s (the source states no number)") % {"stated": stated}
        return _("Not stated in the source")
    if stated and stated != str(number):
        return _("%(number)s (“%(stated)s” in the source)") % {"number": number, "stated": stated}
    return str(number)


def statement_words(statement, length=None):
    """A statement's words as they may be repeated: a direct quote in
    quotation marks, a paraphrase never (it is the source's wording, not the
    speaker's). Shortened at a word boundary when `length` is given."""
    words, cut = shorten(statement.text, length) if length else (statement.text, False)
    if cut:
        words += SHORTENED_MARK
    if statement.kind == "paraphrase":
        return _("(paraphrase) %(words)s") % {"words": words}
    return f"“{words}”"


def record_label(record, length=LABEL_LENGTH):
    """A record's name in a link or a list. Someone's words (a statement)
    are named by their speaker (when the reader may see the speaker's
    record) and the words themselves (Kind.speaker_field)."""
    speaker_field = kind_of(record).speaker_field
    if speaker_field:
        speaker = shown_relation(record, speaker_field)
        words = statement_words(record, length)
        return f"{speaker}: {words}" if speaker else words
    return str(record)


def record_heading(record):
    """A record page's heading: a statement is headed by who made it."""
    speaker_field = kind_of(record).speaker_field
    if speaker_field:
        speaker = shown_relation(record, speaker_field)
        return _("Statement by %(speaker)s") % {"speaker": speaker} if speaker else _("Statement")
    return str(record)


def occurrence_caveat(record):
    """'scheduled' or 'cancelled' for an event that has not taken place as
    reported; None for one that did (or a record that is not an event)."""
    occurrence = getattr(record, "occurrence", None)
    if occurrence and occurrence != "occurred":
        return record.get_occurrence_display()
    return None


# --- HTML pieces ------------------------------------------------------------


def claim_attribution(record):
    """Whose claim a record's status is, in words, where the source says: the
    claimant (its kind's claimant_field: the actor the source attributes the
    claim to) and, for someone's words, where they were said. "according to
    CBS News", "by Nayib Bukele" (confirmed), "said by Donald J. Trump on
    Truth Social". A platform is only ever the medium, never the claimant.
    Empty where the source states the claim in its own voice, so the badge
    never names anyone the data does not.

    Reads only what was loaded for the reader (every listing, table, page and
    export loads the claimant: QuerySet.with_claim_attribution): never a
    query, never a hidden record."""
    claimant, medium = claimant_and_medium(record)
    parts = []
    if claimant is not None:
        if kind_of(record).speaker_field:
            words = _("said by %(claimant)s")
        elif record.claim_status in CLAIMED_BY_STATUSES:
            words = _("by %(claimant)s")
        else:
            words = _("according to %(claimant)s")
        parts.append(words % {"claimant": claimant})
    if medium:
        parts.append(_("on %(medium)s") % {"medium": medium})
    return " ".join(parts)


# The statuses a claimant is named after with "by" ("Confirmed by Nayib
# Bukele", "Alleged by ..."); the others read "according to" (“Proposed
# according to CBS News”).
CLAIMED_BY_STATUSES = ("confirmed", "alleged")


def claimant_and_medium(record):
    """(claimant, medium): the actor the source attributes the record's claim
    to, as far as loaded for the reader (None where there is none or the
    reader may not see them), and where the claim was made ("" if not said)."""
    try:
        kind = kind_of(record)
    except KeyError:
        return None, ""
    claimant = _loaded_relation(record, kind.claimant_field) if kind.claimant_field else None
    medium = (getattr(record, kind.medium_field, "") or "") if kind.medium_field else ""
    return claimant, medium.strip()


def claim_source(record):
    """The report the record's loaded quotes attribute its claim to (the CBS
    News reports, Trump's post), or None where the source states it itself."""
    for citation in _loaded_list(record, "citations"):
        source = _cached(citation, "attributed_to")
        if source is not None:
            return source
    return None


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


@lru_cache(maxsize=1)
def _method_url():
    return reverse("cases:method")


def claim_badge_html(status, label, attribution="", link=True):
    """The claim status as a labelled badge: the word is always shown, colour
    only helps. It links to the status's definition on the method page, and
    says whose claim it is where the record says (`attribution`)."""
    if link:
        badge = format_html(
            '<a class="badge badge-claim badge-{}" href="{}#status-{}" title="{}">{}</a>',
            status,
            _method_url(),
            status,
            _("What “%(status)s” means") % {"status": label},
            label,
        )
    else:
        badge = format_html('<span class="badge badge-claim badge-{}">{}</span>', status, label)
    if attribution:
        badge = format_html('{} <span class="claim-attribution">{}</span>', badge, attribution)
    return badge


def badges_html(record, show_claim=True):
    """Everything a link to a record must carry with it: its claim status, a
    scheduled or cancelled event's occurrence, and (for staff) its draft mark."""
    parts = []
    if show_claim and getattr(record, "claim_status", None):
        parts.append(
            claim_badge_html(
                record.claim_status, record.get_claim_status_display(), claim_attribution(record)
            )
        )
    caveat = occurrence_caveat(record)
    if caveat:
        parts.append(
            format_html(
                '<span class="badge badge-occurrence badge-{}" title="{}">{}</span>',
                record.occurrence,
                _("Occurrence"),
                caveat,
            )
        )
    if hasattr(record, "publication_status") and not record.is_published:
        parts.append(
            format_html(
                '<span class="badge badge-draft" title="{}">{}</span>',
                _("Not visible to the public"),
                _("Draft"),
            )
        )
    return mark_safe("".join(f" {part}" for part in parts))


def record_link_html(record, *, show_date=False, length=LABEL_LENGTH, show_claim=True):
    """A linked record name with its badges (and, asked, its date in words).
    A table row leaves the claim status out (`show_claim`): it has a column.
    `length` None prints the label whole."""
    date = ""
    if show_date and (getattr(record, "date", None) or getattr(record, "date_stated", "")):
        date = format_html(' <span class="muted">· {}</span>', stated_date_text(record))
    return format_html(
        '<a href="{}"{}>{}</a>{}{}',
        record.get_absolute_url(),
        lang_attribute(label_language(record)),
        record_label(record, length),
        badges_html(record, show_claim=show_claim),
        date,
    )


# The language of the records' own wording where no Spanish version was
# written, and of quotes whose source does not say its language: the
# tracker's sources so far are English-language reports.
RECORDS_LANGUAGE = "en"


def label_language(record):
    """The language a record's label reads in: the newsroom's wording in the
    reader's language where written (cases.models.CaseRecord.wording), else
    the records' English. Proper names (an actor's, a facility's) and a
    source's own title belong to no interface language: None. Someone's
    words (a statement) are quoted as the records give them."""
    kind = kind_of(record)
    if kind.speaker_field:
        return RECORDS_LANGUAGE
    if kind.title_language_field:
        return getattr(record, kind.title_language_field) or RECORDS_LANGUAGE
    title_field = kind.title_field
    if title_field in getattr(record, "spanish_versions", ()):
        return record.wording(title_field)[1]
    return None


def heading_language(record):
    """The language of a record page's heading where it differs from the
    page's, else None: a statement's heading is the interface's words around
    a name; a source's title is in the source's language."""
    kind = kind_of(record)
    if kind.speaker_field:
        return None
    if kind.title_language_field:
        language = getattr(record, kind.title_language_field) or RECORDS_LANGUAGE
    else:
        language = label_language(record)
    return None if language in (None, get_language_code()) else language


def corrections_url(record):
    """The corrections log narrowed to one record (`?record=<kind>:<slug>`)."""
    key = f"{kind_of(record).name}:{record.slug}"
    return f"{reverse('cases:corrections')}?{urlencode({'record': key})}"


def lang_attribute(language):
    """` lang="en"` where a text's language differs from the page's, else ''."""
    if language is None or language == get_language_code():
        return ""
    return format_html(' lang="{}"', language)


def in_language(text, language=RECORDS_LANGUAGE):
    """`text` (escaped) in a span marked with its language where that is not
    the page's: the records' English on a Spanish page."""
    lang = lang_attribute(language)
    return format_html("<span{}>{}</span>", lang, text) if lang else format_html("{}", text)


def wording_html(record, name):
    """A field of the newsroom's wording in the reader's language where a
    Spanish version is written, else its English, marked as such."""
    if name in getattr(record, "spanish_versions", ()):
        return in_language(*record.wording(name))
    return in_language(getattr(record, name) or "")


def wording_text(record, name):
    if name in getattr(record, "spanish_versions", ()):
        return record.wording(name)[0]
    return getattr(record, name) or ""


def inference_reason(record, name):
    """(reason, language tag) of the newsroom's inference of field `name`:
    its Spanish version for a Spanish reader where written, else its English
    (cases.models.CaseRecord.inference); ("", None) when it infers none."""
    if not hasattr(record, "inference"):
        return "", None
    return record.inference(name)


def inference_reasons(record):
    """{field name: reason} of every inference of `record`, as the reader
    reads them (an export's `inferences_label`)."""
    return {
        name: inference_reason(record, name)[0]
        for name in (getattr(record, "inferences", None) or {})
    }


# The countries the records name, declared once with their names in the
# reader's language. A country is held as the newsroom types it, in English
# ("United States"), and is a value every surface words for the reader (a
# record's page, a table's cell and filter, a brief); one not listed here is
# shown as held, marked as English. The exports keep the held value, as data.
COUNTRY_NAMES = {
    "United States": pgettext_lazy("country", "United States"),
    "El Salvador": pgettext_lazy("country", "El Salvador"),
    "Venezuela": pgettext_lazy("country", "Venezuela"),
    "Honduras": pgettext_lazy("country", "Honduras"),
    "Guatemala": pgettext_lazy("country", "Guatemala"),
    "Mexico": pgettext_lazy("country", "Mexico"),
    "Costa Rica": pgettext_lazy("country", "Costa Rica"),
    "Panama": pgettext_lazy("country", "Panama"),
    "Colombia": pgettext_lazy("country", "Colombia"),
    "Nicaragua": pgettext_lazy("country", "Nicaragua"),
    "Cuba": pgettext_lazy("country", "Cuba"),
    "Haiti": pgettext_lazy("country", "Haiti"),
    "Ecuador": pgettext_lazy("country", "Ecuador"),
    "Dominican Republic": pgettext_lazy("country", "Dominican Republic"),
}


def country_name(value):
    """(name, language tag) of a country as held: its name in the reader's
    language where declared (COUNTRY_NAMES; None: the page's language), else
    the value as held, in the records' English."""
    value = " ".join(str(value or "").split())
    name = COUNTRY_NAMES.get(value)
    if name is not None:
        return str(name), None
    return value, RECORDS_LANGUAGE


def country_text(value):
    return country_name(value)[0]


def country_html(value):
    return in_language(*country_name(value))


def muted(text):
    return format_html('<span class="muted">{}</span>', text)


# --- One value, with its caveat ---------------------------------------------


@dataclass
class Shown:
    """A value as it reads: `html` for the page and the PDF, `text` in plain
    words (with the same caveats), `notes` the footnote numbers of the
    citations that support it, `inferred` the newsroom's reason where the
    value is its inference rather than a source's statement."""

    label: str
    name: str
    html: str
    text: str
    has_value: bool
    notes: list = field(default_factory=list)
    inferred: str = ""


def _relation(record, name):
    """(value, hidden): a foreign key's record (None when empty or hidden) or a
    list; `hidden` when a key is set but the reader may not see its record."""
    value = shown_relation(record, name)
    model_field = record._meta.get_field(name)
    if model_field.many_to_one:
        hidden = value is None and getattr(record, model_field.attname) is not None
        return value, hidden
    return value, False


def _unique(records):
    # An actor can be a party to one agreement in two roles: list it once.
    return list({record.pk: record for record in records}.values())


def _show_text(record, name, shown, length):
    value = str(wording_text(record, name))
    return wording_html(record, name), value, bool(value.strip())


def _show_country(record, name, shown, length):
    value = getattr(record, name) or ""
    return country_html(value), country_text(value), bool(value.strip())


def _show_lines(record, name, shown, length):
    lines = [line.strip() for line in (getattr(record, name) or "").splitlines() if line.strip()]
    return "; ".join(lines), "; ".join(lines), bool(lines)


def _show_choice(record, name, shown, length):
    label = getattr(record, f"get_{name}_display")()
    return label, label, bool(getattr(record, name))


def _show_day(record, name, shown, length):
    value = getattr(record, name)
    text = date_at_precision(value, "day") if value else ""
    return text, text, bool(value)


def _show_url(record, name, shown, length):
    value = getattr(record, name)
    return format_html('<a href="{}">{}</a>', value, value), value, bool(value)


def _show_stated_date(record, name, shown, length):
    text = stated_date_text(record)
    if record.date:
        html = format_html("{}", text)
        if record.date_stated:
            says = _("(the source says “%(stated)s”)") % {"stated": record.date_stated}
            html = format_html('{} <span class="muted">{}</span>', text, says)
            text = f"{text} {says}"
    elif record.date_stated:
        html = format_html(
            '“{}” <span class="muted">{}</span>',
            record.date_stated,
            _("(the source gives no date)"),
        )
    else:
        return "", "", False
    if record.date_is_inferred and record.date_inference:
        html = format_html(
            '{}<span class="inference"><strong>{}</strong> {}</span>',
            html,
            _("Why inferred:"),
            wording_html(record, "date_inference"),
        )
        text = _("%(date)s. Why inferred: %(reason)s") % {
            "date": text,
            "reason": wording_text(record, "date_inference"),
        }
    return html, text, True


# --- Figures that disagree ----------------------------------------------------
# When sources give different figures for one value (cases.models.ReportedFigure),
# every surface shows them side by side, each with its source, and says which
# one the newsroom relies on and why (or that it has not chosen). The record's
# own field holds the relied-on figure, and that is what tables sort by.


def disagreeing_figures(record, name):
    """The sources' figures for value `name` of `record`, as far as the reader
    may see them (prefetched as `figures`: never a query), when they
    disagree, i.e. two or more different figures; otherwise []."""
    if not hasattr(record, "visible_figures"):
        return []
    figures = [figure for figure in record.visible_figures if figure.field == name]
    if len({(figure.number, figure.stated) for figure in figures}) < 2:
        return []
    return figures


def relied_on_figure(figures):
    return next((figure for figure in figures if figure.relied_on), None)


def _figure_source(figure):
    return figure.citation.source


def figure_text(figure):
    """'hundreds (“The article”, which states no number)', '238 (“Fictional Daily”)'."""
    source = _figure_source(figure)
    values = {"number": figure.number, "stated": figure.stated, "source": source}
    if figure.number is None:
        return _("%(stated)s (“%(source)s”, which states no number)") % values
    if figure.stated != str(figure.number):
        return _("%(number)s (“%(source)s”, which says “%(stated)s”)") % values
    return _("%(number)s (“%(source)s”)") % values


def figures_text(figures):
    """The figures side by side, then the newsroom's choice in words."""
    relied_on = relied_on_figure(figures)
    side_by_side = "; ".join(figure_text(figure) for figure in figures)
    return _("Sources disagree: %(figures)s. %(choice)s") % {
        "figures": side_by_side,
        "choice": figures_choice_text(relied_on),
    }


def figures_choice_text(relied_on):
    if relied_on is None:
        return _("The newsroom has not chosen which figure to rely on.")
    return _("The newsroom relies on %(figure)s (“%(source)s”): %(reason)s") % {
        "figure": relied_on.stated,
        "source": _figure_source(relied_on),
        "reason": relied_on.relied_on_reason,
    }


def figures_sort_text(record, name, figures):
    """What a table sorts this row by, when its sources disagree."""
    value = stated_count_text(getattr(record, name), getattr(record, f"{name}_stated"))
    if relied_on_figure(figures) is None:
        return _(
            "Sorted by the record's figure, %(value)s; the newsroom has not chosen between them."
        ) % {"value": value}
    return _("Sorted by %(value)s, the figure the newsroom relies on.") % {"value": value}


def _figure_html(figure):
    source = _figure_source(figure)
    if figure.number is None:
        words = format_html(
            '{} <span class="muted">{}</span>', figure.stated, _("(the source states no number)")
        )
    elif figure.stated != str(figure.number):
        words = format_html(
            '{} <span class="muted">{}</span>',
            figure.number,
            _("(“%(stated)s” in the source)") % {"stated": figure.stated},
        )
    else:
        words = format_html("{}", figure.number)
    relied = (
        format_html(
            ' <span class="badge badge-relied-on">{}</span>', _("The newsroom relies on this")
        )
        if figure.relied_on
        else ""
    )
    return format_html(
        '{} <span class="figure-source">(<a href="{}">{}</a>{})</span>{}',
        words,
        source.get_absolute_url(),
        source,
        _(", paragraph %(number)s") % {"number": figure.citation.paragraph}
        if figure.citation.paragraph
        else "",
        relied,
    )


def figures_html(figures):
    relied_on = relied_on_figure(figures)
    if relied_on is None:
        choice = format_html('<p class="figures-choice">{}</p>', figures_choice_text(relied_on))
    else:
        choice = format_html(
            '<p class="figures-choice"><strong>{}</strong> {}</p>',
            _("The newsroom relies on %(figure)s:") % {"figure": relied_on.stated},
            relied_on.relied_on_reason,
        )
    return format_html(
        '<div class="figures"><p class="figures-heading">{}</p>'
        '<ul class="figures-list">{}</ul>{}</div>',
        _("Sources disagree:"),
        format_html_join("", "<li>{}</li>", ((_figure_html(figure),) for figure in figures)),
        choice,
    )


def stated_count_cell(record, name, as_list=False):
    """A stated count in a table cell: the value in words, or, where sources
    disagree, every figure side by side and what the row is sorted by;
    `as_list` (a printed table's narrow column) one figure a line."""
    figures = disagreeing_figures(record, name)
    if not figures:
        return stated_count_text(getattr(record, name), getattr(record, f"{name}_stated"))
    if as_list:
        return format_html(
            '<ul class="cell-figures">{}</ul><span class="muted figures-sort">{}</span>',
            format_html_join("", "<li>{}</li>", ((figure_text(f),) for f in figures)),
            figures_sort_text(record, name, figures),
        )
    return format_html(
        '{} <span class="muted figures-sort">{}</span>',
        "; ".join(figure_text(figure) for figure in figures),
        figures_sort_text(record, name, figures),
    )


def _show_stated_count(record, name, shown, length):
    number, stated = getattr(record, name), getattr(record, f"{name}_stated")
    if number is None and not stated:
        return "", "", False
    figures = disagreeing_figures(record, name)
    if figures:
        return figures_html(figures), figures_text(figures), True
    text = stated_count_text(number, stated)
    if number is None:
        html = format_html(
            '{} <span class="muted">{}</span>',
            in_language(stated),
            _("(the source states no number)"),
        )
    elif stated and stated != str(number):
        html = format_html(
            '{} <span class="muted">{}</span>',
            number,
            _("(“%(stated)s” in the source)") % {"stated": stated},
        )
    else:
        html = format_html("{}", number)
    return html, text, True


def occurrence_html(record):
    """An event's occurrence in a table cell: a scheduled or cancelled one is marked."""
    caveat = occurrence_caveat(record)
    if caveat:
        return format_html(
            '<span class="badge badge-occurrence badge-{}">{}</span>', record.occurrence, caveat
        )
    return record.get_occurrence_display()


def _show_occurrence(record, name, shown, length):
    label = record.get_occurrence_display()
    notes = {
        "scheduled": _("still to come when the source was written"),
        "cancelled": _("called off, as the source reports it"),
    }
    if record.occurrence in notes:
        html = format_html(
            '<span class="badge badge-occurrence badge-{}">{}</span> <span class="muted">({})</span>',
            record.occurrence,
            label,
            notes[record.occurrence],
        )
        return html, f"{label} ({notes[record.occurrence]})", True
    return label, label, True


def _show_statement(record, name, shown, length):
    if record.kind == "paraphrase":
        html = format_html(
            '<p class="paraphrase"><span class="caveat">{}</span> {} <span{}>{}</span></p>',
            _("Paraphrase"),
            _("(the source's wording, not the speaker's exact words):"),
            lang_attribute(RECORDS_LANGUAGE),
            record.text,
        )
        return html, _("(paraphrase) %(words)s") % {"words": record.text}, True
    html = format_html(
        '<blockquote class="quote statement-text"{}><p>“{}”</p></blockquote>',
        lang_attribute(RECORDS_LANGUAGE),
        record.text,
    )
    return html, f"“{record.text}”", True


def _show_record(record, name, shown, length):
    related, hidden = _relation(record, name)
    if related is not None:
        return record_link_html(related, length=length), record_label(related, length), True
    if hidden:
        return muted(NOT_PUBLIC), NOT_PUBLIC, True
    return "", "", False


def _show_records(record, name, shown, length):
    related = _unique(_relation(record, name)[0])
    html = format_html_join(
        "; ", "{}", ((record_link_html(item, length=length),) for item in related)
    )
    return html, "; ".join(record_label(item, length) for item in related), bool(related)


def _group_with_size(group):
    size = stated_count_text(group.size, group.size_stated)
    claim = group.get_claim_status_display().lower()
    return format_html('{} <span class="muted">· {}</span>', record_link_html(group), size), (
        f"{record_label(group)} ({size}; {claim})"
    )


def group_tree(groups):
    """The groups that are not part of another of the same groups; each lists
    its own subgroups (the six within the 17)."""
    ids = {group.pk for group in groups}
    return [group for group in groups if group.parent_id not in ids]


def _show_groups(record, name, shown, length):
    groups = _relation(record, name)[0]
    items_html, items_text = [], []
    for group in group_tree(groups):
        html, text = _group_with_size(group)
        subgroups = getattr(group, "visible_subgroups", [])
        if subgroups:
            sub = [_group_with_size(subgroup) for subgroup in subgroups]
            html = format_html(
                '{}<ul class="subgroups" aria-label="{}">{}</ul>',
                html,
                _("Part of %(group)s") % {"group": group},
                format_html_join("", "<li>{}</li>", ((html,) for html, _text in sub)),
            )
            text = _("%(group)s, including %(subgroups)s") % {
                "group": text,
                "subgroups": "; ".join(text for _html, text in sub),
            }
        items_html.append(html)
        items_text.append(text)
    html = format_html(
        '<ul class="record-list group-tree">{}</ul>',
        format_html_join("", "<li>{}</li>", ((html,) for html in items_html)),
    )
    return html, "; ".join(items_text), bool(items_html)


def _show_party_roles(record, name, shown, length):
    parties = _relation(record, name)[0]
    html = format_html_join(
        "",
        '<li>{}<br><span class="role">{}</span></li>',
        ((record_link_html(party.actor), party_role_html(party)) for party in parties),
    )
    text = "; ".join(
        f"{record_label(party.actor)} ({party.wording('role')[0]})" for party in parties
    )
    return format_html('<ul class="record-list">{}</ul>', html), text, bool(parties)


def _designation_by(designation):
    """Who made a designation, as far as the reader may see them."""
    if designation.designated_by is not None:
        return record_link_html(designation.designated_by), str(designation.designated_by)
    if designation.designated_by_id:
        return muted(_("an actor not yet public")), _("an actor not yet public")
    return None, None


def _show_designations(record, name, shown, length):
    items_html, items_text = [], []
    for designation in _relation(record, name)[0]:
        by_html, by_text = _designation_by(designation)
        badge = claim_badge_html(designation.claim_status, designation.get_claim_status_display())
        if by_html:
            items_html.append(
                format_html(
                    _("{designation}, designated by {actor} {status}"),
                    designation=designation.label,
                    actor=by_html,
                    status=badge,
                )
            )
            items_text.append(
                _("%(designation)s, designated by %(actor)s (%(status)s)")
                % {
                    "designation": designation.label,
                    "actor": by_text,
                    "status": designation.get_claim_status_display().lower(),
                }
            )
        else:
            items_html.append(format_html("{} {}", designation.label, badge))
            items_text.append(
                f"{designation.label} ({designation.get_claim_status_display().lower()})"
            )
    html = format_html_join("", "<li>{}</li>", ((item,) for item in items_html))
    return (
        format_html('<ul class="record-list">{}</ul>', html),
        "; ".join(items_text),
        bool(items_html),
    )


def _show_accusation(record, name, shown, length):
    # The accusation is the source's; the record's claim status (alleged)
    # travels with it, so it is said here too.
    value = record.accusation
    if not value:
        return "", "", False
    status = record.get_claim_status_display().lower()
    return (
        format_html('{} <span class="muted">({})</span>', in_language(value), status),
        f"{value} ({status})",
        True,
    )


PRESENTERS = {
    "text": _show_text,
    "country": _show_country,
    "lines": _show_lines,
    "choice": _show_choice,
    "day": _show_day,
    "url": _show_url,
    "stated_date": _show_stated_date,
    "stated_count": _show_stated_count,
    "occurrence": _show_occurrence,
    "statement": _show_statement,
    "record": _show_record,
    "records": _show_records,
    "groups": _show_groups,
    "party_roles": _show_party_roles,
    "designations": _show_designations,
    "accusation": _show_accusation,
}


def present(record, shown, notes_by_field=None, length=LABEL_LENGTH):
    """A Shown for field `shown` (a cases.kinds.ShownField) of `record`.
    Linked records' labels are shortened to `length` (None: whole, as a
    printed brief has them)."""
    html, text, has_value = PRESENTERS[shown.shows](record, shown.name, shown, length)
    if not has_value:
        html, text = muted(shown.empty), shown.empty
    inferred, language = inference_reason(record, shown.name)
    if inferred and has_value:
        html = format_html(
            '{} <span class="inference"><strong>{}</strong> {}</span>',
            html,
            _("The newsroom's inference:"),
            in_language(inferred, language),
        )
        text = _("%(value)s (the newsroom's inference: %(reason)s)") % {
            "value": text,
            "reason": inferred,
        }
    notes = (notes_by_field or {}).get(shown.name, []) if has_value else []
    return Shown(shown.label, shown.name, html, text, has_value, notes, inferred)


def present_record(record, kind, citations=(), numbers=None, length=LABEL_LENGTH):
    """(lead, fields): the record's lead paragraph and its shown fields, each
    with the footnote numbers of the citations that support it: 1, 2, 3… in
    `citations` order, or the `numbers` given (a dossier numbers its notes
    across records). Each citation gains `supported_labels`, the labels of
    the fields it supports."""
    numbers = numbers or range(1, len(citations) + 1)
    notes_by_field = {}
    labels = {shown.name: shown.label for shown in kind.fields}
    if kind.lead_field:
        labels[kind.lead_field] = _("Summary")
    for number, citation in zip(numbers, citations, strict=True):
        supports = getattr(citation, "supports", None) or ()
        citation.supported_labels = [labels[name] for name in supports if name in labels]
        for name in supports:
            notes_by_field.setdefault(name, []).append(number)
    # A figure's quote supports the value it is a figure for.
    note_of_citation = {
        citation.pk: number for number, citation in zip(numbers, citations, strict=True)
    }
    for figure in getattr(record, "visible_figures", ()):
        number = note_of_citation.get(figure.citation_id)
        if number is not None and number not in notes_by_field.get(figure.field, []):
            notes_by_field.setdefault(figure.field, []).append(number)
    fields = [present(record, shown, notes_by_field, length) for shown in kind.fields]
    fields = [value for value in fields if value.has_value or not kind.field(value.name).hide_empty]
    lead = None
    if kind.lead_field and getattr(record, kind.lead_field):
        text, language = (
            record.wording(kind.lead_field)
            if hasattr(record, "wording")
            else (getattr(record, kind.lead_field), RECORDS_LANGUAGE)
        )
        lang = lang_attribute(language)
        lead = Shown(
            labels[kind.lead_field],
            kind.lead_field,
            # The paragraph's language rides on a span, so the template's
            # <p> stays as it was.
            format_html("<span{}>{}</span>", lang, text) if lang else format_html("{}", text),
            text,
            True,
            notes_by_field.get(kind.lead_field, []),
        )
    return lead, fields


def party_role_html(party):
    """'Role: …' with the party's role in the reader's language where written."""
    return format_html(_("Role: {role}"), role=in_language(*party.wording("role")))


def _related_item_html(item, length):
    """One entry of a related-records list: a record (with its date where it
    has one), or a party's role in an agreement."""
    if isinstance(item, AgreementParty):
        return format_html(
            '{}<br><span class="role">{}</span>',
            record_link_html(item.agreement, length=length),
            party_role_html(item),
        )
    return record_link_html(item, show_date=True, length=length)


def related_sections(kind, relations, length=LABEL_LENGTH, record=None):
    """The lists under a record's fields (kind.related), as HTML items; a
    section with no empty text is left out when it has nothing to list.
    Given the `record`, a list that stops at RECORD_LIST_LIMIT says how many
    more there are (`more`), and where they are listed whole."""
    tables = {name: (table, param) for name, table, param in kind.related_tables}
    sections = []
    for name, heading, empty in kind.related:
        items = relations.get(name) or []
        if not items and empty is None:
            continue
        url = None
        if record is not None and name in tables:
            table, param = tables[name]
            url = f"{reverse(f'cases:{table}_list')}?{urlencode({param: record.slug})}"
        sections.append(
            {
                "id": name.replace("_", "-"),
                "heading": heading,
                "items": [_related_item_html(item, length) for item in items],
                "empty": empty,
                "more": more_entries(record, name, url) if record is not None else None,
            }
        )
    return sections


def more_entries(record, name, url=None):
    """Where list `name` of `record` stops at RECORD_LIST_LIMIT: how many
    more it holds, its whole count, and the table that lists them all (None
    where no table does); None where the list is shown whole."""
    total = list_total(record, name)
    if total is None:
        return None
    shown = len(shown_relation(record, name) or ())
    # Counted as a table counts its rows: up to TABLE_COUNT_CAP, then "10,000+".
    cap = settings.TABLE_COUNT_CAP
    plus = "+" if total > cap else ""
    total = min(total, cap)
    return {
        "count": total - shown,
        "count_display": formats.number_format(total - shown, force_grouping=True) + plus,
        "total_display": formats.number_format(total, force_grouping=True) + plus,
        "url": url,
    }


def citations_url(record):
    """The table of every quote of `record`: a source's own quotes, or the
    quotes a record rests on (cases/views.py, CitationListView)."""
    name = kind_of(record).name
    params = (
        {"source": record.slug}
        if kind_of(record).shows_text
        else {"record": f"{name}:{record.slug}"}
    )
    return f"{reverse('cases:citation_list')}?{urlencode(params)}"


def cell_text_html(text, length=CELL_LENGTH):
    """Long text in a table cell: cut at a word, and marked as cut."""
    short, cut = shorten(text, length)
    if not cut:
        return format_html("{}", short)
    return format_html(
        '{}{}<span class="visually-hidden"> {}</span>', short, SHORTENED_MARK, _("(shortened)")
    )


# --- Key figures ------------------------------------------------------------


def _people_moved(record):
    where = (
        shown_relation(record, "destination")
        or country_text(record.to_country)
        or _("a place not stated")
    )
    moved = _show_groups(record, "groups", None, None)[1]
    parts = [
        _("%(count)s moved to %(place)s")
        % {"count": stated_count_text(record.count, record.count_stated), "place": where},
        stated_date_text(record),
    ]
    if moved:
        parts.append(_("who: %(groups)s") % {"groups": moved})
    return parts


def _group_size(record):
    parts = [f"{stated_count_text(record.size, record.size_stated)}: {record}"]
    if record.accusation:
        parts.append(_("accusation: %(accusation)s") % {"accusation": record.accusation})
    return parts


def _agreement_status(record):
    parts = [f"{record}: {record.get_status_display().lower()}"]
    parts.append(wording_text(record, "financial_terms") or _("financial terms not stated"))
    return parts


def _event_occurrence(record):
    caveat = occurrence_caveat(record)
    held = caveat.lower() if caveat else pgettext("event occurrence", "held")
    return [str(record), held, stated_date_text(record)]


# The words of a key figure, each with its caveat, by Kind.figure.
FIGURES = {
    "moved": _people_moved,
    "size": _group_size,
    "status": _agreement_status,
    "occurrence": _event_occurrence,
    "label": lambda record: [record_label(record)],
}
# The relations each of FIGURES reads through shown_relation().
FIGURE_RELATIONS = {"moved": ("destination", "groups")}


def figure_relations(kind):
    """The relations a key figure of `kind` reads (its words, the speaker of
    someone's words, the claimant): the home page loads only these, not every
    list its page shows (issue 25: the home page, nothing cached, spent most
    of its time loading its ten key figures' whole pages). Whether a quote
    stands behind it is a yes or no (QuerySet.with_quoted), not a list."""
    wanted = {"claimed_by", kind.speaker_field, *FIGURE_RELATIONS.get(kind.figure, ())}
    return [name for name in kind.model.objects.all().detail_relations if name in wanted]


def key_figure(record, kind, quoted):
    """A record as one sentence for the home page's key figures: its facts
    with their caveats, its claim status in words (attributed where the
    record says by whom), a link to its page and, where a quote the reader
    may see supports it (`quoted`), to the first one."""
    claim = record.get_claim_status_display().lower()
    said_by = claim_attribution(record)
    text = "; ".join(part for part in FIGURES[kind.figure](record) if part)
    url = record.get_absolute_url()
    note = (
        format_html(' <a class="note-link" href="{}#note-1">{}</a>', url, _("[source]"))
        if quoted
        else ""
    )
    return {
        "html": format_html(
            '{} <span class="muted">({}{})</span> <a href="{}">{}</a>{}',
            text,
            claim,
            f", {said_by}" if said_by else "",
            url,
            _("Read the record"),
            note,
        ),
        "text": f"{text} ({claim}{', ' + said_by if said_by else ''})",
        "record": record,
    }


def changed_words_html(before, after, language=None):
    """A value before and after a change as HTML, `<del>…</del> → <ins>…</ins>`,
    with the words that changed marked inside each (<mark>): in a paragraph
    where three words changed, a reader sees which three. Words, not
    letters: a changed word is marked whole. `language` is the values'
    (the records' words), marked where it is not the page's; the log's own
    "(empty)" is in the reader's."""
    old, new = str(before).split(" "), str(after).split(" ")
    marked_old, marked_new = [], []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        for words, start, end, marked in (
            (old, old_start, old_end, marked_old),
            (new, new_start, new_end, marked_new),
        ):
            if start == end:
                continue
            text = " ".join(words[start:end])
            marked.append(text if tag == "equal" else format_html("<mark>{}</mark>", text))
    own_words = {_("(empty)"), _("(removed)")}
    return format_html(
        "<del{}>{}</del> → <ins{}>{}</ins>",
        lang_attribute(None if str(before) in own_words else language),
        mark_safe(" ".join(conditional_escape(part) for part in marked_old)),
        lang_attribute(None if str(after) in own_words else language),
        mark_safe(" ".join(conditional_escape(part) for part in marked_new)),
    )
