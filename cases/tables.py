"""The columns of each table, declared; they run no queries of their own.

A table renders what its QuerySet's for_table() loaded: a related record the
user may not see reads as None, and lists of related records come from the
`visible_<relation>` lists, which hold only what the user may see.

Cells word their values as cases/presentation.py does on every other
surface (a count in the source's words with "the source states no number", a
date with "inferred", a claim status badge, a scheduled event marked), in the
compact form a cell has room for. Long text is cut at a word and marked as
cut, except in a printed brief, which prints it whole. The CSV and JSON
exports are built from the records, not from these cells (cases/exports.py).

A column of a value the kind shows is headed with that value's label in the
registry (cases/kinds.py, heading() below); the first column names the record
itself, and the claim status and a statement's "About" are the table's own.
"""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import presentation
from .kinds import kind_of
from .models import Actor, Agreement, DetaineeGroup, Event, Facility, Source, Statement, Transfer
from .querysets import shown_relation, visible_sort_key


def with_tiebreak(*fields):
    """Sort by `fields`, then by slug, so equal values keep one order and
    pages do not overlap or skip rows."""
    return (*fields, "slug")


def heading(model, name):
    """The heading of the column of value `name`: its label in the kind's
    shown fields (cases/kinds.py), so a record's page, its brief and its
    table call a value by the words written once there."""
    return kind_of(model).field(name).column_label


def _in_print(table):
    return getattr(table, "in_print", False)


class RecordLinkColumn(tables.Column):
    """The record's name, linked to its page, with its occurrence and draft
    marks (its claim status has a column of its own)."""

    def __init__(self, *args, truncate=None, show_claim=False, **kwargs):
        self.truncate = truncate
        self.show_claim = show_claim
        super().__init__(*args, **kwargs)

    def render(self, record, table):
        # Printed whole; on screen, a statement's words are cut at a word.
        length = None if _in_print(table) else self.truncate or presentation.LABEL_LENGTH
        return presentation.record_link_html(record, length=length, show_claim=self.show_claim)


class ClaimStatusColumn(tables.Column):
    """How far the sources stand behind the record, as a labelled badge."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Claim status"))
        kwargs.setdefault("order_by", with_tiebreak("claim_status"))
        super().__init__(**kwargs)

    def render(self, record, table):
        # On paper the badge is a word, not a link to its definition: one
        # link (and tagged annotation) fewer a row for WeasyPrint to lay out.
        return presentation.claim_badge_html(
            record.claim_status,
            record.get_claim_status_display(),
            presentation.claim_attribution(record),
            link=not _in_print(table),
        )


class RelatedLinksColumn(tables.Column):
    """Several related records (a `visible_<name>` list), linked, each once."""

    empty_values = (None, "", [])

    def __init__(self, **kwargs):
        kwargs.setdefault("orderable", False)
        super().__init__(**kwargs)

    def render(self, value):
        unique = {record.pk: record for record in value}.values()
        return format_html_join(
            "; ", "{}", ((presentation.record_link_html(record),) for record in unique)
        )


class LongTextColumn(tables.Column):
    """Text cut at a word boundary and marked as cut; printed whole."""

    def __init__(self, *args, length=presentation.CELL_LENGTH, **kwargs):
        self.length = length
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        if _in_print(table):
            return value
        # The records' words (an accusation as the source states it).
        return presentation.in_language(presentation.cell_text_html(value, self.length))


class WordingColumn(tables.Column):
    """The newsroom's words (an actor's role): its Spanish version for a
    Spanish reader where written, else its English, marked as English."""

    def render(self, record, table, bound_column):
        name = str(bound_column.accessor)
        if _in_print(table):
            return presentation.wording_text(record, name)
        return presentation.wording_html(record, name)

    def value(self, record, bound_column):
        return presentation.wording_text(record, str(bound_column.accessor))


class CountryColumn(tables.Column):
    """A country in the reader's language where declared
    (presentation.country_name), else as held, marked as English."""

    def render(self, value, table):
        if _in_print(table):
            return presentation.country_text(value)
        return presentation.country_html(value)

    def value(self, value):
        return presentation.country_text(value)


class NullsLastColumn(tables.Column):
    """Sorts by a field that may be empty, with empty values last both ways
    (SQLite and PostgreSQL disagree on where NULLs go by default)."""

    def __init__(self, sort_field, **kwargs):
        self.sort_field = sort_field
        super().__init__(**kwargs)

    def order(self, queryset, is_descending):
        field = F(self.sort_field)
        ordered = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(ordered, "slug"), True


class RelatedLinkColumn(NullsLastColumn):
    """One related record behind a foreign key, linked; empty when there is
    none or the user may not see it (for_table() leaves it None then).

    Sorted by the related field `sort_path` ("destination__name") only where
    the reader may see the related record (for_table() gives it as
    visible_sort_key(sort_path), listed in the QuerySet's
    table_sort_relations); rows whose record is hidden sort as if they had
    none, so the order never gives a hidden name away."""

    def __init__(self, sort_path, **kwargs):
        self.sort_path = sort_path
        super().__init__(visible_sort_key(sort_path), **kwargs)

    def render(self, value):
        return presentation.record_link_html(value)


class StatedDateColumn(NullsLastColumn):
    """A date at the precision the source gives it, marked when inferred, or
    the source's wording with "the source gives no date"; never a made-up date."""

    # An undated record still has something to say.
    empty_values = ()

    def __init__(self, **kwargs):
        super().__init__("date", **kwargs)

    def render(self, record):
        return presentation.stated_date_text(record)


class StatedCountColumn(NullsLastColumn):
    """A number where the source states one, otherwise its words with "the
    source states no number" ("hundreds (the source states no number)").
    Where sources disagree, every figure with its source, and what the row is
    sorted by: the record's own value, which holds the figure the newsroom
    relies on (cases.models.ReportedFigure)."""

    empty_values = ()

    def __init__(self, field, **kwargs):
        self.field = field
        super().__init__(field, **kwargs)

    def render(self, record, table):
        return presentation.stated_count_cell(record, self.field, as_list=_in_print(table))


class OccurrenceColumn(tables.Column):
    """Whether an event took place as reported, or is scheduled or cancelled."""

    def render(self, record):
        return presentation.occurrence_html(record)


class RecordTable(tables.Table):
    """What every record table has (django-tables2 does not inherit Meta by
    itself: each table's Meta subclasses this one)."""

    class Meta:
        attrs = {"class": "records"}
        row_attrs = {"class": lambda record: "" if record.is_published else "is-draft"}
        empty_text = _("No records match these filters.")
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"


class TransferTable(RecordTable):
    title = RecordLinkColumn(verbose_name=_("Transfer"), order_by=with_tiebreak("title"))
    date = StatedDateColumn(verbose_name=heading(Transfer, "date"))
    count = StatedCountColumn("count", verbose_name=heading(Transfer, "count"))
    destination = RelatedLinkColumn(
        "destination__name", verbose_name=heading(Transfer, "destination")
    )
    agreement = RelatedLinkColumn("agreement__title", verbose_name=heading(Transfer, "agreement"))
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class DetaineeGroupTable(RecordTable):
    name = RecordLinkColumn(verbose_name=_("Group"), order_by=with_tiebreak("name"))
    size = StatedCountColumn("size", verbose_name=heading(DetaineeGroup, "size"))
    accusation = LongTextColumn(
        verbose_name=heading(DetaineeGroup, "accusation"), order_by=with_tiebreak("accusation")
    )
    alleged_affiliations = RelatedLinksColumn(
        accessor="visible_alleged_affiliations",
        verbose_name=heading(DetaineeGroup, "alleged_affiliations"),
    )
    facility = RelatedLinkColumn("facility__name", verbose_name=heading(DetaineeGroup, "facility"))
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class AgreementTable(RecordTable):
    title = RecordLinkColumn(verbose_name=_("Agreement"), order_by=with_tiebreak("title"))
    status = tables.Column(
        verbose_name=heading(Agreement, "status"), order_by=with_tiebreak("status")
    )
    parties = RelatedLinksColumn(
        accessor="visible_parties", verbose_name=heading(Agreement, "party_roles")
    )
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class ActorTable(RecordTable):
    name = RecordLinkColumn(verbose_name=_("Actor"), order_by=with_tiebreak("name"))
    kind = tables.Column(verbose_name=heading(Actor, "kind"), order_by=with_tiebreak("kind"))
    role = WordingColumn(verbose_name=heading(Actor, "role"), order_by=with_tiebreak("role"))
    country = CountryColumn(
        verbose_name=heading(Actor, "country"), order_by=with_tiebreak("country")
    )
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class FacilityTable(RecordTable):
    name = RecordLinkColumn(verbose_name=_("Facility"), order_by=with_tiebreak("name"))
    short_name = tables.Column(
        verbose_name=heading(Facility, "short_name"), order_by=with_tiebreak("short_name")
    )
    kind = tables.Column(verbose_name=heading(Facility, "kind"), order_by=with_tiebreak("kind"))
    country = CountryColumn(
        verbose_name=heading(Facility, "country"), order_by=with_tiebreak("country")
    )
    location = tables.Column(
        verbose_name=heading(Facility, "location"), order_by=with_tiebreak("location")
    )
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class EventTable(RecordTable):
    title = RecordLinkColumn(verbose_name=_("Event"), order_by=with_tiebreak("title"))
    date = StatedDateColumn(verbose_name=heading(Event, "date"))
    occurrence = OccurrenceColumn(
        verbose_name=heading(Event, "occurrence"), order_by=with_tiebreak("occurrence")
    )
    facility = RelatedLinkColumn("facility__name", verbose_name=heading(Event, "facility"))
    participants = RelatedLinksColumn(
        accessor="visible_participants", verbose_name=heading(Event, "participants")
    )
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class AboutColumn(tables.Column):
    """Every record a statement is tied to: the event it was made at, the
    facility, the transfers and agreements it concerns (each as far as the
    reader may see it)."""

    empty_values = ()

    def __init__(self, relations, **kwargs):
        self.relations = relations
        kwargs.setdefault("orderable", False)
        super().__init__(**kwargs)

    def render(self, record):
        about = []
        for name in self.relations:
            related = shown_relation(record, name)
            about += related if isinstance(related, list) else [related] if related else []
        if not about:
            return presentation.muted(_("Not tied to a record"))
        return format_html_join(
            "; ", "{}", ((presentation.record_link_html(item),) for item in about)
        )


class StatementColumn(RecordLinkColumn):
    """A statement named by its speaker and its words, so sorted as it reads:
    by speaker (as far as the reader may see them), then by date. Its words
    would sort by their first letter, case and quotation marks first."""

    def order(self, queryset, is_descending):
        speaker = F(visible_sort_key("speaker__name"))
        date = F("date")
        if is_descending:
            keys = (speaker.desc(nulls_last=True), date.desc(nulls_last=True), "-slug")
        else:
            keys = (speaker.asc(nulls_last=True), date.asc(nulls_last=True), "slug")
        return queryset.order_by(*keys), True


class StatementTable(RecordTable):
    # The claim status is folded into the statement's cell: it is "Reported"
    # on nearly every row, and a column of it would tell nothing.
    text = StatementColumn(
        verbose_name=_("Statement"),
        truncate=presentation.CELL_LENGTH,
        show_claim=True,
    )
    speaker = RelatedLinkColumn("speaker__name", verbose_name=heading(Statement, "speaker"))
    about = AboutColumn(("event", "facility", "transfers", "agreements"), verbose_name=_("About"))
    kind = tables.Column(verbose_name=heading(Statement, "kind"), order_by=with_tiebreak("kind"))
    date = StatedDateColumn(verbose_name=heading(Statement, "date"))

    # Columns that tell nothing when every matching row holds the same value
    # ("Date not stated" on every row): left out then, and said once above
    # the table instead. {column: the fields that must all be equal}.
    drop_when_uniform = {"date": ("date", "date_stated")}

    class Meta(RecordTable.Meta):
        pass


class SourceTable(RecordTable):
    title = RecordLinkColumn(verbose_name=_("Source"), order_by=with_tiebreak("title"))
    kind = tables.Column(verbose_name=heading(Source, "kind"), order_by=with_tiebreak("kind"))
    publisher = tables.Column(
        verbose_name=heading(Source, "publisher"), order_by=with_tiebreak("publisher")
    )
    published_on = NullsLastColumn("published_on", verbose_name=heading(Source, "published_on"))

    class Meta(RecordTable.Meta):
        pass


class QuotedForColumn(tables.Column):
    """The record a quote supports, with its kind, as far as the reader may see it."""

    def render(self, record):
        cited = record.record
        if cited is None:
            return presentation.muted(presentation.NOT_PUBLIC)
        return format_html(
            '<span class="muted">{}:</span> {}',
            kind_of(cited).label,
            presentation.record_link_html(cited),
        )


class QuoteSourceColumn(tables.Column):
    """The source a quote is taken from, linked to the quote's place in its text."""

    def render(self, record):
        anchor = f"#quote-{record.key}" if record.paragraph else ""
        return format_html(
            '<a href="{}{}">{}</a>', record.source.get_absolute_url(), anchor, record.source
        )


class CitationTable(tables.Table):
    """The quotes of a source (or of a record), one per row: what a record
    page lists only the first RECORD_LIST_LIMIT of, paged here."""

    quote = LongTextColumn(verbose_name=_("Quote"), orderable=False)
    record = QuotedForColumn(verbose_name=_("Quoted for"), empty_values=(), orderable=False)
    source = QuoteSourceColumn(
        verbose_name=_("Source"), order_by=("source__title", "paragraph", "id"), empty_values=()
    )
    paragraph = tables.Column(verbose_name=_("Paragraph"), order_by=("paragraph", "id"))

    class Meta:
        attrs = {"class": "records citations-table"}
        empty_text = _("No quotes match these filters.")
