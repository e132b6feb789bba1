"""Public, read-only pages. Views stay thin: queries live in querysets.py,
columns in tables.py, filters in filters.py."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.paginator import EmptyPage, Paginator
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.text import Truncator, capfirst, slugify
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin, TableExport

from . import filters, pdf, roles, tables
from .models import Actor, Agreement, DetaineeGroup, Event, Facility, Source, Statement, Transfer
from .pagination import CappedCountPaginator
from .querysets import (
    clean_search_text,
    corrections_log,
    count_each,
    describe_corrections,
    group_by_record,
    records_for_entries,
    timeline_entries,
)
from .templatetags.records import record_label

# --- Home, search, timeline -------------------------------------------------


# Every kind of record, in the order the home page and search list them.
RECORD_KINDS = (Agreement, Transfer, DetaineeGroup, Actor, Facility, Event, Statement, Source)
LATEST_EVENTS_ON_HOME = 5
SEARCH_RESULTS_PER_KIND = 50
TIMELINE_KINDS = (Event, Transfer, Statement)
# Timeline items per page, dated and undated each.
TIMELINE_PAGE_SIZE = 100


def table_url(model, **params):
    url = reverse(f"cases:{model._meta.model_name}_list")
    return f"{url}?{urlencode(params)}" if params else url


def home(request):
    counts = count_each([model.objects.visible_to(request.user) for model in RECORD_KINDS])
    kinds = [
        {"label": model._meta.verbose_name_plural, "count": count, "url": table_url(model)}
        for model, count in zip(RECORD_KINDS, counts, strict=True)
    ]
    latest_events = (
        Event.objects.visible_to(request.user)
        .for_listing(request.user)
        .latest_first()[:LATEST_EVENTS_ON_HOME]
    )
    return render(request, "cases/home.html", {"kinds": kinds, "latest_events": latest_events})


def search(request):
    query = clean_search_text(request.GET.get("q", ""))
    kinds = [_search_kind(model, query, request.user) for model in RECORD_KINDS] if query else []
    return render(
        request,
        "cases/search.html",
        {
            "search_query": query,
            "kinds_found": [kind for kind in kinds if kind["total"]],
            "kinds_not_found": [kind for kind in kinds if not kind["total"]],
            "total": sum(kind["total"] for kind in kinds),
            "results_per_kind": SEARCH_RESULTS_PER_KIND,
        },
    )


def _search_kind(model, query, user):
    matches = model.objects.visible_to(user).search(query)
    results = list(matches.for_listing(user)[: SEARCH_RESULTS_PER_KIND + 1])
    # Most searches fit on the page, and then the rows are the count.
    total = matches.count() if len(results) > SEARCH_RESULTS_PER_KIND else len(results)
    return {
        "label": model._meta.verbose_name_plural,
        "results": results[:SEARCH_RESULTS_PER_KIND],
        "total": total,
        "table_url": table_url(model, q=query),
    }


def timeline(request):
    querysets = _timeline_querysets(request.user)
    dated = _timeline_page(request, timeline_entries(querysets, dated=True), "page")
    undated = _timeline_page(request, timeline_entries(querysets, dated=False), "undated_page")
    # Both sections' records in one query per kind.
    records = iter(
        records_for_entries(querysets, [*dated.object_list, *undated.object_list], request.user)
    )
    dated.records = [next(records) for _ in dated.object_list]
    undated.records = list(records)
    return render(request, "cases/timeline.html", {"dated": dated, "undated": undated})


def _timeline_querysets(user):
    return [model.objects.visible_to(user) for model in TIMELINE_KINDS]


def _timeline_page(request, entries, page_param):
    """One page of timeline entries; a bad page number gives the first or last
    page, never an error. Links keep the other section's page in the URL."""
    page = Paginator(entries, TIMELINE_PAGE_SIZE).get_page(request.GET.get(page_param))
    query = request.GET.copy()
    if page.has_previous():
        query[page_param] = page.previous_page_number()
        page.previous_url = f"?{query.urlencode()}"
    if page.has_next():
        query[page_param] = page.next_page_number()
        page.next_url = f"?{query.urlencode()}"
    return page


def timeline_items(user):
    """(dated, undated): every dated item oldest first; undated ones apart, by
    the source's wording, because placing them anywhere on the line would
    invent a date. For the PDF dossier, which caps how many records it holds."""
    querysets = _timeline_querysets(user)
    return tuple(
        records_for_entries(querysets, timeline_entries(querysets, dated), user)
        for dated in (True, False)
    )


# --- Tables ---------------------------------------------------------------


DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
PER_PAGE_CHOICES = (10, 25, 50, 100)
# How much of a bad parameter a notice repeats back.
NOTICE_VALUE_LENGTH = 40


def _quoted(value):
    return f"“{Truncator(str(value)).chars(NOTICE_VALUE_LENGTH)}”"


class CsvJsonExport(TableExport):
    """Only the formats the tables offer: tablib's others need packages we do
    not install, and asking for one must give the page, not a 500."""

    FORMATS = {
        TableExport.CSV: TableExport.FORMATS[TableExport.CSV],
        TableExport.JSON: TableExport.FORMATS[TableExport.JSON],
    }

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format in cls.FORMATS

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        if self.format != TableExport.CSV:
            return dataset
        # A spreadsheet runs a cell that starts like a formula; a quote from a
        # source must open as text, so such cells get a leading apostrophe
        # (OWASP's advice for CSV injection). JSON is data, and left as is.
        for index, row in enumerate(dataset):
            dataset[index] = tuple(_as_spreadsheet_text(value) for value in row)
        return dataset


SPREADSHEET_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_spreadsheet_text(value):
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA_STARTS):
        return f"'{value}"
    return value


class RecordListView(ExportMixin, SingleTableMixin, FilterView):
    """A table of one kind of record: filters with facet counts, sortable
    columns, a page size the reader picks (capped), and CSV and JSON exports of
    every matching row. Everything is in the GET parameters, so any view of a
    table is a URL to bookmark or share.

    Each kind declares model, table_class and filterset_class; the rows are
    always the model's visible_to(user).for_table(user).
    Subclasses (the PDF briefs) get the same filtered, sorted rows from
    get_table(); overriding get_table_pagination() to return False gives all
    of them on one page.

    Bad parameters never give a 500: the page says what was ignored or what to
    correct (`notices`), and an invalid filter shows no rows rather than rows
    the reader did not ask for.
    """

    template_name_suffix = "_list"
    table_pagination = {"per_page": DEFAULT_PER_PAGE}
    export_class = CsvJsonExport
    export_formats = tuple(CsvJsonExport.FORMATS)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.notices = []

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_table(self.request.user)

    def notice(self, text):
        if text not in self.notices:
            self.notices.append(text)

    @cached_property
    def export_format(self):
        requested = self.request.GET.get(self.export_trigger_param)
        return requested if self.export_class.is_valid_format(requested) else None

    def get_export_filename(self, export_format):
        return f"{slugify(self.model._meta.verbose_name_plural)}.{export_format}"

    @cached_property
    def per_page(self):
        requested = self.request.GET.get("per_page", "").strip()
        if not requested:
            return DEFAULT_PER_PAGE
        try:
            per_page = int(requested)
        except ValueError:
            per_page = 0
        if per_page < 1:
            self.notice(
                f"{_quoted(requested)} is not a number of rows; "
                f"showing {DEFAULT_PER_PAGE} rows per page."
            )
            return DEFAULT_PER_PAGE
        if per_page > MAX_PER_PAGE:
            self.notice(f"At most {MAX_PER_PAGE} rows fit on a page; showing {MAX_PER_PAGE}.")
            return MAX_PER_PAGE
        return per_page

    def get_table_pagination(self, table):
        if self.export_format:
            # An export holds every matching row: no page, and no count to run.
            return False
        # Counted up to a cap, so a page's cost does not grow with the table.
        return {
            **self.table_pagination,
            "per_page": self.per_page,
            "paginator_class": CappedCountPaginator,
        }

    def get_table(self, **kwargs):
        """SingleTableMixin.get_table, except that the sort and the page number
        are read here, so a bad one gets a notice rather than a silent change."""
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        table.request = self.request
        sort = self.requested_sort(table)
        if sort:
            table.order_by = sort
        pagination = self.get_table_pagination(table)
        if pagination:
            self.paginate_table(table, pagination)
        return table

    def requested_sort(self, table):
        """The sort columns asked for that the table has ("-date" is descending);
        the others are left out with a notice."""
        sort = []
        for requested in self.request.GET.getlist(table.order_by_field):
            for alias in requested.split(","):
                name = alias.strip().removeprefix("-")
                if name in table.columns and table.columns[name].orderable:
                    sort.append(alias.strip())
                else:
                    self.notice(
                        f"The table cannot be sorted by {_quoted(alias)}; showing the usual order."
                    )
        return sort

    def paginate_table(self, table, pagination):
        requested = self.request.GET.get(table.page_field, "").strip()
        number = 1
        if requested:
            try:
                number = int(requested)
            except ValueError:
                number = 0
            if number < 1:
                self.notice(f"There is no page {_quoted(requested)}; showing the first page.")
                number = 1
        try:
            table.paginate(page=number, **pagination)
        except EmptyPage:
            last = table.paginator.num_pages
            self.notice(f"There is no page {number}; showing the last page, {last}.")
            table.page = table.paginator.page(last)

    @cached_property
    def query(self):
        """The GET parameters the page's links carry on: the page size as
        understood (a capped or bad one is not repeated), no export trigger."""
        params = self.request.GET.copy()
        params.pop(self.export_trigger_param, None)
        if "per_page" in params:
            params["per_page"] = str(self.per_page)
        return params

    def url_with(self, *, keep_page=False, **changes):
        """This page's URL with some parameters changed (None removes one)."""
        params = self.query.copy()
        if not keep_page:
            params.pop("page", None)
        for name, value in changes.items():
            params.pop(name, None)
            if value is not None:
                params[name] = value
        return f"{self.request.path}?{params.urlencode()}" if params else self.request.path

    def active_filter_links(self):
        return [
            {
                "label": label,
                "value": value,
                "understood": understood,
                "remove_url": self.url_with(**{name: None}),
            }
            for name, label, value, understood in self.filterset.active_filters()
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.export_format:
            return context
        if self.filterset.is_bound and not self.filterset.is_valid():
            self.notice(
                "Some filters could not be used (see the filter form). No rows are shown "
                "until they are corrected or cleared."
            )
        self.filterset.show_facet_counts()
        active_filters = self.active_filter_links()
        context.update(
            page_title=capfirst(self.model._meta.verbose_name_plural),
            kind=self.model._meta.verbose_name,
            kind_plural=self.model._meta.verbose_name_plural,
            query=self.query,
            notices=self.notices,
            active_filters=active_filters,
            clear_all_url=self.url_with(**dict.fromkeys(self.filterset.filters)),
            export_links=[
                (export_format.upper(), self.url_with(per_page=None, _export=export_format))
                for export_format in self.export_formats
            ],
            per_page=self.per_page,
            per_page_choices=sorted({*PER_PAGE_CHOICES, self.per_page}),
            # The sort the table understood, carried on when filters change.
            sort_values=[str(alias) for alias in context["table"].order_by or ()],
        )
        return context


class TransferListView(RecordListView):
    model = Transfer
    table_class = tables.TransferTable
    filterset_class = filters.TransferFilter


class DetaineegroupListView(RecordListView):
    model = DetaineeGroup
    table_class = tables.DetaineeGroupTable
    filterset_class = filters.DetaineeGroupFilter


class AgreementListView(RecordListView):
    model = Agreement
    table_class = tables.AgreementTable
    filterset_class = filters.AgreementFilter


class ActorListView(RecordListView):
    model = Actor
    table_class = tables.ActorTable
    filterset_class = filters.ActorFilter


class FacilityListView(RecordListView):
    model = Facility
    table_class = tables.FacilityTable
    filterset_class = filters.FacilityFilter


class EventListView(RecordListView):
    model = Event
    table_class = tables.EventTable
    filterset_class = filters.EventFilter


class StatementListView(RecordListView):
    model = Statement
    table_class = tables.StatementTable
    filterset_class = filters.StatementFilter


class SourceListView(RecordListView):
    model = Source
    table_class = tables.SourceTable
    filterset_class = filters.SourceFilter


# --- Detail pages ------------------------------------------------------------


def record_context(request, model, slug):
    """Everything a record's page (and its PDF brief) shows: the record, its
    citations and its related records, by relation name (see each QuerySet's
    detail_relations), each only as far as the reader may see them.

    Raises Http404 when there is no such record or the reader may not see it
    (a draft, to anyone but staff)."""
    records = model.objects.visible_to(request.user).for_detail(request.user)
    record = records.filter(slug=slug).first()
    if record is None:
        raise Http404(f"No {model._meta.verbose_name} at this address.")
    # As the corrections log counts them: changes made since it was published.
    latest_correction = corrections_log([records.filter(pk=record.pk)]).first()
    context = {
        "record": record,
        "kind": model._meta.verbose_name,
        "kind_plural": model._meta.verbose_name_plural,
        "table_url": table_url(model),
        "last_corrected": latest_correction["corrected_at"] if latest_correction else None,
        "corrections_url": corrections_url(record),
        **records.detail_relations_of(record),
    }
    if model is Transfer:
        context["group_tree"] = _group_tree(context["groups"])
    if model is Source:
        context["paragraphs"] = record.paragraphs
        context["citations_by_record"] = _citations_by_record(context["citations"])
    return context


def _group_tree(groups):
    """The transfer's groups that are not part of another of its groups; each
    lists its own subgroups (the six within the 17)."""
    ids = {group.pk for group in groups}
    return [group for group in groups if group.parent_id not in ids]


def _citations_by_record(citations):
    """[(record, [its citations])], records in the order the source first
    supports them."""
    grouped = {}
    for citation in citations:
        record = citation.record
        grouped.setdefault((type(record), record.pk), (record, []))[1].append(citation)
    return list(grouped.values())


def actor_detail(request, slug):
    return render(request, "cases/actor_detail.html", record_context(request, Actor, slug))


def facility_detail(request, slug):
    return render(request, "cases/facility_detail.html", record_context(request, Facility, slug))


def agreement_detail(request, slug):
    return render(request, "cases/agreement_detail.html", record_context(request, Agreement, slug))


def transfer_detail(request, slug):
    return render(request, "cases/transfer_detail.html", record_context(request, Transfer, slug))


def detaineegroup_detail(request, slug):
    return render(
        request, "cases/detaineegroup_detail.html", record_context(request, DetaineeGroup, slug)
    )


def event_detail(request, slug):
    return render(request, "cases/event_detail.html", record_context(request, Event, slug))


def statement_detail(request, slug):
    return render(request, "cases/statement_detail.html", record_context(request, Statement, slug))


def source_detail(request, slug):
    return render(request, "cases/source_detail.html", record_context(request, Source, slug))


# --- Corrections log ---------------------------------------------------------

CORRECTIONS_PER_PAGE = 25
# As long as a slug can be (PublishableRecord.slug).
SLUG_MAX_LENGTH = 120


def corrections_url(record):
    """The corrections log narrowed to one record."""
    return f"{reverse('cases:corrections')}?{urlencode({'record': _record_key(record)})}"


def _record_key(record):
    return f"{record._meta.model_name}:{record.slug}"


def corrections(request):
    """Every change to a published record since it was published, newest
    first, with what changed and why; `?record=<kind>:<slug>` narrows it to
    one record."""
    user = request.user
    requested = request.GET.get("record", "").strip()
    record = _corrected_record(requested, user) if requested else None
    if not requested:
        querysets = [model.objects.visible_to(user) for model in RECORD_KINDS]
    elif record is not None:
        querysets = [type(record).objects.visible_to(user).filter(pk=record.pk)]
    else:
        # Nothing the reader may see goes by that name: say so, list nothing.
        querysets = []
    page = Paginator(corrections_log(querysets), CORRECTIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    corrections = describe_corrections(page.object_list, user)
    return render(
        request,
        "cases/corrections.html",
        {
            "page": page,
            "corrections": corrections,
            "corrected_records": group_by_record(corrections),
            "record": record,
            "unknown_record": _quoted(requested) if requested and record is None else None,
            "record_param": urlencode({"record": requested}) if record else "",
        },
    )


def _corrected_record(key, user):
    """The record `key` ("agreement:safe-third-country") names, if `user` may see it."""
    kind, _, slug = key.partition(":")
    models_by_kind = {model._meta.model_name: model for model in RECORD_KINDS}
    model = models_by_kind.get(kind)
    # Only a well-formed slug reaches the database (PostgreSQL rejects NUL).
    if model is None or not slug_re.match(slug) or len(slug) > SLUG_MAX_LENGTH:
        return None
    return model.objects.visible_to(user).filter(slug=slug).first()


# --- PDF briefs ----------------------------------------------------------------
# Each brief takes the context its HTML page already builds and a print
# template; cases/pdf.py renders it through the URL fetcher that serves only
# our static files.

# Briefs are for those allowed to export them (Editors, Admins; see
# cases/roles.py): every PDF view below carries this, and no other check.
# Anyone else gets 403; in a closed site, anonymous readers are sent to the
# login page before it (tracker/site_mode.py).
brief_export_required = permission_required(roles.EXPORT_PDF_BRIEFS, raise_exception=True)

# Rows a table brief will print; past this it asks for narrower filters, so a
# brief never runs past the server's timeout (gunicorn's default is 30 s).
# WeasyPrint takes about 8 ms and 150 kB a row (`make bench`): at this cap
# some 8 s, 65 pages and 150 MiB; 2,000 rows took 16 s and 300 MiB.
TABLE_BRIEF_ROW_CAP = 1000
# Records (of every kind) the case dossier will print; past this it points to
# the table briefs. About 22 ms a record: some 9 s and 125 pages at the cap.
DOSSIER_RECORD_CAP = 400
# A table with more columns than this is printed on landscape paper.
PORTRAIT_MAX_COLUMNS = 4


@brief_export_required
def record_brief(request, slug, model):
    """A record's page as a PDF: its fields, related records and citations."""
    context = record_context(request, model, slug)
    try:
        return pdf.render_pdf(
            request,
            f"cases/pdf/{model._meta.model_name}_brief.html",
            context,
            title=record_label(context["record"]),
            filename=pdf.brief_filename(slugify(model._meta.verbose_name), slug),
        )
    except pdf.BriefRefused as refusal:
        return pdf.refusal_response(request, refusal, context["record"].get_absolute_url())


class PdfTableBriefMixin:
    """A table page as a PDF: the list view's own filters, sort and rows, all
    of them rather than one page, headed by the active filters. Put it before
    the list view: `class TransferTableBriefView(PdfTableBriefMixin, TransferListView)`."""

    # The brief is never an export, whatever `_export` says.
    export_format = None

    @method_decorator(brief_export_required)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_table_pagination(self, table):
        return False

    def render_to_response(self, context, **response_kwargs):
        table = context["table"]
        back_url = self.table_page_url()
        try:
            if self.filterset.is_bound and not self.filterset.is_valid():
                raise pdf.BriefRefused(self.filter_errors_message())
            rows = len(table.rows)
            if rows > TABLE_BRIEF_ROW_CAP:
                raise pdf.BriefRefused(
                    f"These filters match {rows:,} rows; a PDF brief prints at most "
                    f"{TABLE_BRIEF_ROW_CAP:,}. Narrow the filters and try again, or "
                    "download the table as CSV.",
                    status=200,
                )
            title = context["page_title"]
            return pdf.render_pdf(
                self.request,
                "cases/pdf/table_brief.html",
                {
                    **context,
                    "row_count": rows,
                    "table_url": back_url,
                    "sort_columns": self.sort_columns(table),
                },
                title=f"{title}, as filtered" if context["active_filters"] else title,
                filename=pdf.brief_filename(slugify(self.model._meta.verbose_name_plural)),
                landscape=len(table.columns) > PORTRAIT_MAX_COLUMNS,
            )
        except pdf.BriefRefused as refusal:
            return pdf.refusal_response(self.request, refusal, back_url)

    def filter_errors_message(self):
        fields = self.filterset.form.fields
        problems = [
            f"{fields[name].label if name in fields else name}: {' '.join(errors)}"
            for name, errors in self.filterset.form.errors.items()
        ]
        return "These filters could not be used, so no PDF was made. " + " ".join(problems)

    @staticmethod
    def sort_columns(table):
        """The sort in words, e.g. ["Date (descending)"]; unknown columns are ignored."""
        return [
            f"{table.columns[order.bare].header}" + (" (descending)" if order.is_descending else "")
            for order in table.order_by or ()
            if order.bare in table.columns
        ]

    def table_page_url(self):
        """The table page this brief prints, with the same filters and sort."""
        params = self.request.GET.copy()
        params.pop("paper", None)
        url = reverse(f"cases:{self.model._meta.model_name}_list")
        return f"{url}?{params.urlencode()}" if params else url


class ActorTableBriefView(PdfTableBriefMixin, ActorListView):
    pass


class FacilityTableBriefView(PdfTableBriefMixin, FacilityListView):
    pass


class AgreementTableBriefView(PdfTableBriefMixin, AgreementListView):
    pass


class TransferTableBriefView(PdfTableBriefMixin, TransferListView):
    pass


class DetaineegroupTableBriefView(PdfTableBriefMixin, DetaineegroupListView):
    pass


class EventTableBriefView(PdfTableBriefMixin, EventListView):
    pass


class StatementTableBriefView(PdfTableBriefMixin, StatementListView):
    pass


class SourceTableBriefView(PdfTableBriefMixin, SourceListView):
    pass


# What the dossier prints in full, with the relations each entry shows.
DOSSIER_SECTIONS = (Agreement, Transfer, DetaineeGroup)


@brief_export_required
def case_dossier(request):
    """The whole case as one PDF, as far as the reader may see it: counts, the
    agreements, transfers and detainee groups, the key actors, the timeline,
    the notes and the sources."""
    user = request.user
    counts = count_each([model.objects.visible_to(user) for model in RECORD_KINDS])
    if sum(counts) > DOSSIER_RECORD_CAP:
        refusal = pdf.BriefRefused(
            f"The case holds {sum(counts):,} records, more than a dossier prints "
            f"({DOSSIER_RECORD_CAP:,}). Use the PDF brief of each table, filtered, instead.",
            status=200,
        )
        return pdf.refusal_response(request, refusal, reverse("cases:home"))
    sections = {
        model._meta.model_name: _dossier_entries(model.objects.visible_to(user).for_detail(user))
        for model in DOSSIER_SECTIONS
    }
    actors = _dossier_entries(Actor.objects.visible_to(user).key_to_case(user).for_detail(user))
    for entry in sections["transfer"]:
        entry["group_tree"] = _group_tree(entry["groups"])
    dated, undated = timeline_items(user)
    context = {
        "counts": [
            (capfirst(model._meta.verbose_name_plural), count)
            for model, count in zip(RECORD_KINDS, counts, strict=True)
        ],
        "agreements": sections["agreement"],
        "transfers": sections["transfer"],
        "groups": sections["detaineegroup"],
        "actors": actors,
        "endnotes": pdf.number_endnotes(
            [*sections["agreement"], *sections["transfer"], *sections["detaineegroup"], *actors]
        ),
        "timeline": [*dated, *undated],
        "sources": Source.objects.visible_to(user).defer("text"),
    }
    try:
        return pdf.render_pdf(
            request,
            "cases/pdf/dossier.html",
            context,
            title="Case dossier: U.S. deportations to El Salvador",
            filename=pdf.brief_filename("case-dossier"),
        )
    except pdf.BriefRefused as refusal:
        return pdf.refusal_response(request, refusal, reverse("cases:home"))


def _dossier_entries(records):
    """Each record with its related records by relation name, as its page has them."""
    return [{"record": record, **records.detail_relations_of(record)} for record in records]
