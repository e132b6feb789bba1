"""The columns of each table, declared; they run no queries of their own.

A table renders what its QuerySet's for_table() loaded: a related record the
user may not see reads as None, and lists of related records come from the
`visible_<relation>` lists, which hold only what the user may see.

Cells show what a reader needs (links, badges, counts and dates as the source
gives them); exports get plain values from the columns' value() methods: the
claim status label, the slug, the URL path, a count in the source's words.
"""

import django_tables2 as tables
from django.db.models import F
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from .querysets import visible_sort_key

# What an empty cell shows: nothing is stated.
NOT_STATED = "—"


def with_tiebreak(*fields):
    """Sort by `fields`, then by slug, so equal values keep one order and
    pages do not overlap or skip rows."""
    return (*fields, "slug")


def draft_badge(record):
    return render_to_string("includes/draft_badge.html", {"record": record})


class RecordLinkColumn(tables.Column):
    """The record's name, linked to its page; a draft (only staff see those) is marked."""

    def __init__(self, *args, truncate=None, **kwargs):
        self.truncate = truncate
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        text = Truncator(value).chars(self.truncate) if self.truncate else value
        return format_html(
            '<a href="{}">{}</a> {}', record.get_absolute_url(), text, draft_badge(record)
        )

    def value(self, value):
        return value


class ClaimStatusColumn(tables.Column):
    """How far the sources stand behind the record, as a labelled badge."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", "Claim status")
        kwargs.setdefault("order_by", with_tiebreak("claim_status"))
        super().__init__(**kwargs)

    def render(self, value, record):
        # `value` is already the label ("Alleged"); the badge's colour needs the code.
        return render_to_string(
            "includes/claim_badge.html", {"status": record.claim_status, "label": value}
        )

    def value(self, value):
        return value


class RelatedLinksColumn(tables.Column):
    """Several related records (a `visible_<name>` list), linked, each once."""

    empty_values = (None, "", [])

    def __init__(self, **kwargs):
        kwargs.setdefault("orderable", False)
        super().__init__(**kwargs)

    @staticmethod
    def unique(records):
        # An actor can be a party to one agreement in two roles: list it once.
        return list({record.pk: record for record in records}.values())

    def render(self, value):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>{}',
            (
                (record.get_absolute_url(), record, draft_badge(record))
                for record in self.unique(value)
            ),
        )

    def value(self, value):
        return "; ".join(str(record) for record in self.unique(value))


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
        return format_html(
            '<a href="{}">{}</a> {}', value.get_absolute_url(), value, draft_badge(value)
        )

    def value(self, value):
        return str(value)


class StatedDateColumn(NullsLastColumn):
    """A date at the precision the source gives it, or the source's wording;
    never a made-up date."""

    def __init__(self, **kwargs):
        kwargs.setdefault("accessor", "date_display")
        kwargs.setdefault("verbose_name", "Date")
        super().__init__("date", **kwargs)


class StatedCountColumn(NullsLastColumn):
    """A number where the source states one, otherwise its words ("hundreds")."""

    def __init__(self, field, **kwargs):
        kwargs.setdefault("accessor", f"{field}_display")
        super().__init__(field, **kwargs)


class RecordTable(tables.Table):
    """What every record table has (django-tables2 does not inherit Meta by
    itself: each table's Meta subclasses this one). The hidden columns are for exports: the
    slug and URL identify each row, and staff exports say which rows are drafts
    (the view drops that column for everyone else)."""

    slug = tables.Column(visible=False, verbose_name="Slug")
    url = tables.Column(
        accessor="get_absolute_url", visible=False, orderable=False, verbose_name="URL"
    )
    publication_status = tables.Column(visible=False, verbose_name="Publication")

    class Meta:
        attrs = {"class": "records"}
        row_attrs = {"class": lambda record: "" if record.is_published else "is-draft"}
        sequence = ("...", "slug", "url", "publication_status")
        empty_text = "No records match these filters."
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"


class TransferTable(RecordTable):
    title = RecordLinkColumn(verbose_name="Transfer", order_by=with_tiebreak("title"))
    date = StatedDateColumn()
    count = StatedCountColumn("count", verbose_name="People moved")
    destination = RelatedLinkColumn("destination__name", verbose_name="Destination")
    agreement = RelatedLinkColumn("agreement__title", verbose_name="Agreement")
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class DetaineeGroupTable(RecordTable):
    name = RecordLinkColumn(verbose_name="Group", order_by=with_tiebreak("name"))
    size = StatedCountColumn("size", verbose_name="Size")
    accusation = tables.Column(verbose_name="Accused of", order_by=with_tiebreak("accusation"))
    alleged_affiliations = RelatedLinksColumn(
        accessor="visible_alleged_affiliations", verbose_name="Alleged affiliation"
    )
    facility = RelatedLinkColumn("facility__name", verbose_name="Held at")
    claim_status = ClaimStatusColumn()

    def render_accusation(self, value):
        return Truncator(value).chars(160)

    class Meta(RecordTable.Meta):
        pass


class AgreementTable(RecordTable):
    title = RecordLinkColumn(verbose_name="Agreement", order_by=with_tiebreak("title"))
    status = tables.Column(verbose_name="Status", order_by=with_tiebreak("status"))
    parties = RelatedLinksColumn(accessor="visible_parties", verbose_name="Parties")
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class ActorTable(RecordTable):
    name = RecordLinkColumn(verbose_name="Actor", order_by=with_tiebreak("name"))
    kind = tables.Column(verbose_name="Kind", order_by=with_tiebreak("kind"))
    role = tables.Column(verbose_name="Role or title", order_by=with_tiebreak("role"))
    country = tables.Column(verbose_name="Country", order_by=with_tiebreak("country"))
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class FacilityTable(RecordTable):
    name = RecordLinkColumn(verbose_name="Facility", order_by=with_tiebreak("name"))
    short_name = tables.Column(verbose_name="Short name", order_by=with_tiebreak("short_name"))
    kind = tables.Column(verbose_name="Kind", order_by=with_tiebreak("kind"))
    country = tables.Column(verbose_name="Country", order_by=with_tiebreak("country"))
    location = tables.Column(verbose_name="Location", order_by=with_tiebreak("location"))
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class EventTable(RecordTable):
    title = RecordLinkColumn(verbose_name="Event", order_by=with_tiebreak("title"))
    date = StatedDateColumn()
    occurrence = tables.Column(verbose_name="Occurrence", order_by=with_tiebreak("occurrence"))
    facility = RelatedLinkColumn("facility__name", verbose_name="Facility")
    participants = RelatedLinksColumn(accessor="visible_participants", verbose_name="Participants")
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class StatementTable(RecordTable):
    text = RecordLinkColumn(verbose_name="Statement", truncate=160, order_by=with_tiebreak("text"))
    speaker = RelatedLinkColumn("speaker__name", verbose_name="Speaker")
    kind = tables.Column(verbose_name="Kind", order_by=with_tiebreak("kind"))
    date = StatedDateColumn()
    claim_status = ClaimStatusColumn()

    class Meta(RecordTable.Meta):
        pass


class SourceTable(RecordTable):
    title = RecordLinkColumn(verbose_name="Source", order_by=with_tiebreak("title"))
    kind = tables.Column(verbose_name="Kind", order_by=with_tiebreak("kind"))
    publisher = tables.Column(verbose_name="Publisher", order_by=with_tiebreak("publisher"))
    published_on = NullsLastColumn("published_on", verbose_name="Published on")

    class Meta(RecordTable.Meta):
        pass
