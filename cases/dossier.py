"""The case dossier: the whole case as a brief an editor hands round.

Page 1 gives the key figures (each with its caveat and note) and a contents
list; then the sections below, in reading order, flowing on from one another.
Notes are numbered in the order the reader first meets them (the key figures
first), one note per distinct quote (cases/pdf.NoteNumbers).

Which kinds go into the dossier, and into which of the sections below, is
the registry's (Kind.dossier_section); the sections' order, headings and
introductions are said here, once.
"""

from dataclasses import dataclass
from itertools import groupby

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import asof, presentation
from .kinds import DOSSIER_KINDS
from .models import Actor, Agreement, DetaineeGroup, Source, Statement, Transfer
from .pdf import NoteNumbers


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    intro: str = ""
    # Whether the section opens with the timeline of the dossier's dated kinds.
    timeline: bool = False

    @property
    def kinds(self):
        """The kinds printed in this section, in the registry's order."""
        return tuple(kind for kind in DOSSIER_KINDS if kind.dossier_section == self.anchor)


SECTIONS = (
    Section(
        "what-happened",
        gettext_lazy("What happened"),
        gettext_lazy(
            "Dated items in date order, then those the sources do not date, by the sources' own "
            "wording; an event still to come is marked scheduled. Then each event in full."
        ),
        timeline=True,
    ),
    Section(
        "arrangements",
        gettext_lazy("Arrangements"),
        gettext_lazy(
            "The agreements, with their status and their parties. A proposal stays proposed."
        ),
    ),
    Section(
        "people-moved",
        gettext_lazy("People moved"),
        gettext_lazy(
            "Each transfer and the groups moved or held. An accusation stays an allegation."
        ),
    ),
    Section(
        "who-said-what",
        gettext_lazy("Who said what"),
        gettext_lazy(
            "Every statement in full. Direct quotes are in quotation marks; a paraphrase is the "
            "source's reported speech, never the speaker's own words."
        ),
    ),
    Section(
        "people-involved",
        gettext_lazy("People and organizations involved"),
        gettext_lazy("Everyone who acts or speaks in these records, grouped by kind."),
    ),
)
# The kinds on the dossier's timeline, in the order its sections present them.
TIMELINE_ORDER = tuple(kind for section in SECTIONS for kind in section.kinds if kind.on_timeline)


def dossier_context(user, moment=None):
    """Everything templates/cases/pdf/dossier.html prints, as far as `user`
    may see it, as the records stood at `moment` (None: as they are now)."""
    entries = {}
    for kind in DOSSIER_KINDS:
        records = kind.model.objects.visible_to(user).in_dossier(user).for_detail(user)
        loaded = list(records)
        if moment is not None:
            loaded = asof.as_it_stood(loaded, kind.model, moment, user)
        entries[kind.model] = [
            {"record": record, "kind": kind, **records.detail_relations_of(record)}
            for record in loaded
        ]

    notes = NoteNumbers()
    key_figures = _key_figures(entries, notes)
    sections = []
    for section in SECTIONS:
        section_entries = [entry for kind in section.kinds for entry in entries[kind.model]]
        for entry in section_entries:
            _present(entry, notes)
        sections.append(
            {
                "anchor": section.anchor,
                "title": section.title,
                "intro": section.intro,
                "entries": section_entries,
                "groups": _grouped(section_entries, _group_label),
                "timeline": _timeline(entries) if section.timeline else None,
            }
        )
    anchors = {section.anchor for section in SECTIONS}
    missing = [kind.name for kind in DOSSIER_KINDS if kind.dossier_section not in anchors]
    assert not missing, f"dossier kinds without a section: {missing}"
    return {
        "key_figures": key_figures,
        "sections": sections,
        "endnotes": notes.endnotes,
        "sources": Source.objects.visible_to(user).defer("text"),
    }


def supported_names(record, citation):
    """The names of the values `citation` supports: those it says, and the
    value of any figure of the record it gives (cases.models.ReportedFigure)."""
    names = set(getattr(citation, "supports", None) or ())
    names.update(
        figure.field
        for figure in getattr(record, "visible_figures", ())
        if figure.citation_id == citation.pk
    )
    return names


def _reading_order(record, kind, citations, words_in_name=True):
    """The record's citations in the order its brief shows what they support:
    notes on the record as a whole (supporting no value shown) by its name,
    then its lead, then its fields in order (a statement's words are its name)."""
    shown = [
        name for name in presentation_names(kind) if not _is_the_name(kind, name, words_in_name)
    ]

    def first_use(citation):
        places = [shown.index(name) for name in supported_names(record, citation) if name in shown]
        return min(places) if places else -1

    return sorted(citations, key=first_use)


def _supporting(entry, name):
    """The citations supporting value `name` of the entry's record; where none
    says so, those on the record as a whole."""
    record, citations = entry["record"], entry["citations"]
    found = [c for c in citations if name in supported_names(record, c)]
    return found or [c for c in citations if not supported_names(record, c)]


def _is_the_name(kind, name, words_in_name=True):
    """Whether value `name` is printed as the record's name, not as a field:
    a statement's words, where its name holds them (the dossier's headings)."""
    return words_in_name and name != kind.lead_field and kind.field(name).shows == "statement"


def present_with_notes(record, kind, citations, notes, words_in_name=True):
    """(lead, fields, record_notes) of a brief's record, its notes numbered
    by `notes` (cases/pdf.NoteNumbers) in the order a reader meets them: the
    notes on the record as a whole (by its name: `record_notes`), then its
    lead's, then each field's in turn. A statement's words are its name:
    its field is not printed again, and the notes on them go with the name
    (`words_in_name`; a record brief's title names the statement only)."""
    for citation in _reading_order(record, kind, citations, words_in_name):
        notes.number(citation)
    lead, fields = presentation.present_record(
        record,
        kind,
        citations,
        numbers=[notes.number(citation) for citation in citations],
        length=None,
    )
    fields = [value for value in fields if not _is_the_name(kind, value.name, words_in_name)]
    shown = {value.name for value in fields} | ({lead.name} if lead else set())
    record_notes = sorted(
        {
            citation.note_number
            for citation in citations
            if not shown.intersection(supported_names(record, citation))
        }
    )
    return lead, fields, record_notes


def _present(entry, notes):
    entry["lead"], entry["fields"], entry["record_notes"] = present_with_notes(
        entry["record"], entry["kind"], entry["citations"], notes
    )
    entry["heading_html"] = _heading_html(entry["record"])


def presentation_names(kind):
    return ([kind.lead_field] if kind.lead_field else []) + [f.name for f in kind.fields]


def _heading_html(record):
    """The record's name, whole, with its badges: a statement is named by its
    speaker and its words (a paraphrase marked as such), as everywhere."""
    return presentation.record_link_html(record, length=None)


def _figure(entry, field_name, notes, prefix=""):
    """One key figure: a record named with its badges, and one of its values
    as every surface words it, with the notes that support it."""
    kind = entry["kind"]
    value = presentation.present(entry["record"], kind.field(field_name), length=None)
    numbers = sorted({notes.number(c) for c in _supporting(entry, field_name)})
    return {
        "record_html": presentation.record_link_html(entry["record"], length=None),
        "label": value.label,
        "html": value.html,
        "prefix": prefix,
        "notes": numbers,
    }


def _key_figures(entries, notes):
    """The case in a few lines: how many were moved (in the sources' words,
    with their claim status), the agreements and where each stands, what is
    alleged against whom, and who spoke."""
    figures = []
    transfers = entries.get(Transfer, [])
    if transfers:
        figures.append(
            {
                "heading": ngettext("%(count)s transfer", "%(count)s transfers", len(transfers))
                % {"count": len(transfers)},
                "figures": [_figure(entry, "count", notes) for entry in transfers],
            }
        )
    agreements = entries.get(Agreement, [])
    if agreements:
        figures.append(
            {
                "heading": ngettext("%(count)s agreement", "%(count)s agreements", len(agreements))
                % {"count": len(agreements)},
                "figures": [_figure(entry, "status", notes) for entry in agreements],
            }
        )
    groups = entries.get(DetaineeGroup, [])
    if groups:
        figures.append(
            {
                "heading": ngettext(
                    "%(count)s group of detainees", "%(count)s groups of detainees", len(groups)
                )
                % {"count": len(groups)},
                "figures": [_figure(entry, "size", notes) for entry in groups],
            }
        )
    statements = [entry["record"] for entry in entries.get(Statement, [])]
    if statements:
        quotes = sum(1 for s in statements if s.kind != Statement.Kind.PARAPHRASE)
        speakers = {s.speaker_id for s in statements if s.speaker_id}
        figures.append(
            {
                "heading": ngettext("%(count)s statement", "%(count)s statements", len(statements))
                % {"count": len(statements)},
                # Each count gets its own plural; the sentence puts them together.
                "text": _("%(quotes)s and %(paraphrases)s, from %(speakers)s.")
                % {
                    "quotes": ngettext("%(count)s direct quote", "%(count)s direct quotes", quotes)
                    % {"count": quotes},
                    "paraphrases": ngettext(
                        "%(count)s paraphrase", "%(count)s paraphrases", len(statements) - quotes
                    )
                    % {"count": len(statements) - quotes},
                    "speakers": ngettext("%(count)s speaker", "%(count)s speakers", len(speakers))
                    % {"count": len(speakers)},
                },
            }
        )
    actors = entries.get(Actor, [])
    if actors:
        figures.append(
            {
                "heading": ngettext(
                    "%(count)s person or organization",
                    "%(count)s people and organizations",
                    len(actors),
                )
                % {"count": len(actors)},
                "text": _("act or speak in these records."),
            }
        )
    return figures


def _group_label(entry):
    """An entry's subheading in its section: the choice its kind is grouped
    by (Kind.dossier_groups_by: an actor's kind, person, government…), else
    its kind's name in the registry."""
    kind = entry["kind"]
    if kind.dossier_groups_by:
        return getattr(entry["record"], f"get_{kind.dossier_groups_by}_display")()
    return kind.dossier_title or kind.title


def _grouped(entries, key):
    """[(subheading, entries)], consecutive entries with one subheading together."""
    return [(label, list(group)) for label, group in groupby(entries, key=key)]


def _timeline(entries):
    """The kinds on the timeline (events, transfers, statements) on one line:
    dated ones oldest first, then undated ones, by kind and name."""
    items = [entry["record"] for kind in TIMELINE_ORDER for entry in entries[kind.model]]
    position = {kind.model: number for number, kind in enumerate(TIMELINE_ORDER)}
    dated = sorted(
        (item for item in items if item.date),
        key=lambda item: (item.date, position[type(item)], item.slug),
    )
    undated = sorted(
        (item for item in items if not item.date),
        key=lambda item: (position[type(item)], item.slug),
    )
    return [*dated, *undated]
