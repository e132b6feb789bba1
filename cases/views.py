"""Public, read-only pages. Views stay thin: queries live in querysets.py,
columns in tables.py, filters in filters.py."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.db.models import Count, Subquery, Window
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import (
    asof,
    brief_cache,
    dossier,
    export_cache,
    exports,
    pdf,
    presentation,
    response_cache,
    roles,
)
from .access import permission_required_with_message
from .facets import FacetRunner
from .filters import CitationFilter
from .highlights import highlighted_paragraphs
from .history import ChangeKind
from .kinds import KINDS, KINDS_BY_NAME, TIMELINE_KINDS, kind_of
from .listing import (
    EXPORT_PARAM,
    Notices,
    PageLinks,
    TableParameters,
    UnderstoodRequestConfig,
    UniformColumns,
    printable_rows,
    quoted,
    sort_in_words,
)
from .models import Citation, Event, FormerAddress, get_language_code
from .pagination import (
    CappedCountPaginator,
    KeysFirstPaginator,
    capped_count_display,
)
from .querysets import (
    clean_search_text,
    corrections_log,
    corrections_of,
    count_each,
    counts_and_entries,
    describe_corrections,
    group_by_record,
    records_for_entries,
    timeline_entries,
)
from .search import Search, first_matches, suggestions
from .tables import CitationTable

# --- Home, search, timeline -------------------------------------------------


LATEST_EVENTS_ON_HOME = 5
SEARCH_RESULTS_PER_KIND = 50
# Search counts each kind's matches up to here ("1,000+"), as tables count
# theirs up to TABLE_COUNT_CAP: counting all 11,000 detainee groups matching
# a common word took a second at 100,000 transfers; counting to 1,000, 0.2 s.
SEARCH_COUNT_CAP = 1_000
# How many of the linked records a search found records through it names.
SEARCH_LINKED_NAMES_SHOWN = 8
# Timeline items per page, dated and undated each.
TIMELINE_PAGE_SIZE = 100


def table_url(kind, **params):
    url = reverse(f"cases:{kind.name}_list")
    return f"{url}?{urlencode(params)}" if params else url


@response_cache.reads_params()
def home(request):
    """The case at a glance. Its sections are cached as fragments under the
    one cache key (cases/response_cache.py), so a logged-in reader, whose
    page as a whole is never cached, gets them without a query when nothing
    changed: what they show is computed only when a fragment is rendered,
    the counts, the newest date and which records are key figures in one
    query for them all (HomeSummary)."""
    user = request.user
    summary = HomeSummary(user)
    cached = response_cache.response_key(request, purpose="home")
    return render(
        request,
        "cases/home.html",
        {
            "fragment_key": cached.key if cached else None,
            "fragment_seconds": settings.PAGE_CACHE_SECONDS if cached else 0,
            "key_figures": SimpleLazyObject(lambda: key_figures(user, summary.figure_entries)),
            "data_as_of": SimpleLazyObject(lambda: summary.latest_update),
            "kinds": SimpleLazyObject(lambda: _kind_counts(summary.counts)),
            "latest_events": SimpleLazyObject(
                lambda: list(
                    Event.objects.visible_to(user)
                    .for_listing(user)
                    .latest_first()[:LATEST_EVENTS_ON_HOME]
                )
            ),
        },
    )


class HomeSummary:
    """The home page's counts, newest date and key figures' records, read in
    one query (counts_and_entries) the first time a section asks for one."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _read(self):
        user = self.user
        visible = [kind.model.objects.visible_to(user) for kind in KINDS]
        return counts_and_entries(visible, key_figure_entries(user))

    @property
    def counts(self):
        return self._read[0]

    @property
    def latest_update(self):
        return self._read[1]

    @property
    def figure_entries(self):
        return self._read[2]


def _kind_counts(counts):
    return [
        {"label": kind.label_plural, "count": count, "url": table_url(kind)}
        for kind, count in zip(KINDS, counts, strict=True)
    ]


def key_figure_entries(user):
    """The records an editor marks as key figures, as querysets in KINDS
    order, and after them the latest dated events."""
    marked = [kind.model.objects.visible_to(user).key_figures() for kind in KINDS]
    events = Event.objects.visible_to(user)
    latest_date = events.filter(date__isnull=False).order_by("-date").values("date")[:1]
    return [*marked, events.filter(date=Subquery(latest_date))]


def key_figures(user, entries):
    """The case in a few sentences, computed from the records an editor marks
    as key figures, and the latest dated event: each worded with its caveats
    (cases/presentation.py), so a correction to a record changes its figure.
    `entries` ({position in key_figure_entries(): [pks]}) says which they
    are; each kind with some is then loaded with what its sentence reads, so
    the cost does not grow with the number of records."""
    figures = []
    for position, pks in entries.items():
        kind = KINDS[position] if position < len(KINDS) else kind_of(Event)
        shown = presentation.figure_relations(kind)
        records = (
            kind.model.objects.visible_to(user)
            .filter(pk__in=pks)
            .for_detail(user, relations=shown)
            .with_quoted(user)
        )
        for record in records:
            if any(figure["record"] == record for figure in figures):
                continue
            records.detail_relations_of(record, user, relations=shown)
            figures.append(presentation.key_figure(record, kind, record.quoted))
    return figures


@response_cache.reads_params("q")
def search(request):
    query = clean_search_text(request.GET.get("q", ""))
    # One Search for every kind, so each linked record is looked up once.
    search = Search(query, request.user)
    kinds = _search_kinds(search, request.user) if query else []
    total = sum(kind["total"] for kind in kinds)
    suggestion, suggested_names = None, []
    if query and not total:
        models = [kind.model for kind in KINDS]
        suggestion, suggested_names = suggestions(search, models, get_language_code())
    return render(
        request,
        "cases/search.html",
        {
            "search_query": query,
            "kinds_found": [kind for kind in kinds if kind["total"]],
            "kinds_not_found": [kind for kind in kinds if not kind["total"]],
            "total": total,
            "total_is_capped": any(kind["is_capped"] for kind in kinds),
            "total_display": number_format(total, force_grouping=True),
            "results_per_kind": SEARCH_RESULTS_PER_KIND,
            "linked_records": search.linked_records(SEARCH_LINKED_NAMES_SHOWN) if query else [],
            "suggestion": suggestion,
            "suggested_names": suggested_names,
        },
    )


def _search_kinds(search, user):
    """Each kind's first results and number of matches (up to SEARCH_COUNT_CAP)."""
    matches = [kind.model.objects.visible_to(user).search(search, user) for kind in KINDS]
    first = first_matches([found.for_listing(user) for found in matches], SEARCH_RESULTS_PER_KIND)
    if first is None:
        return [
            _search_kind(kind, found, search) for kind, found in zip(KINDS, matches, strict=True)
        ]
    kinds = []
    for position, kind in enumerate(KINDS):
        keys, total = first.get(position, ((), 0))
        # Loaded by key (their visibility checked again, not their match),
        # in the kind's own order, as the keys were found.
        visible = kind.model.objects.visible_to(user).filter(pk__in=keys)
        results = list(visible.for_listing(user)) if keys else []
        kinds.append(_search_results(kind, results, total, search))
    return kinds


def _search_kind(kind, matches, search):
    # The rows come with the number of matches: to give the first rows in
    # order, the database has every match in hand already (a count of its own
    # matched them all again: 90 ms for a common word at 100,000 transfers).
    matches = matches.for_listing(search.user).annotate(matches_total=Window(Count("pk")))
    results = list(matches[: SEARCH_RESULTS_PER_KIND + 1])
    total = results[0].matches_total if results else 0
    return _search_results(kind, results, total, search)


def _search_results(kind, results, total, search):
    return {
        "label": kind.label_plural,
        "results": results[:SEARCH_RESULTS_PER_KIND],
        "total": min(total, SEARCH_COUNT_CAP),
        "is_capped": total > SEARCH_COUNT_CAP,
        "total_display": capped_count_display(total, SEARCH_COUNT_CAP),
        "table_url": table_url(kind, q=search.text),
    }


@response_cache.reads_params("page", "undated_page")
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
    return [kind.model.objects.visible_to(user) for kind in TIMELINE_KINDS]


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


# --- Tables ---------------------------------------------------------------


def params_a_table_reads(table_class, filterset_class):
    """A table page's GET parameters: its filters, sort, page, page size and export."""
    options = table_class._meta
    return frozenset(
        (
            *filterset_class.base_filters,
            options.order_by_field,
            options.page_field,
            options.per_page_field,
            EXPORT_PARAM,
        )
    )


class RecordListView(SingleTableMixin, FilterView):
    """A table of one kind of record (urls.py passes its Kind, which names the
    model, table and filter set): filters with facet counts, sortable columns,
    a page size the reader picks (capped), and CSV and JSON exports of every
    matching row. Everything is in the GET parameters, so any view of a table
    is a URL to share. Bad parameters never give a 500: the page says what it
    ignored, and an invalid filter shows no rows rather than rows not asked
    for. What surrounds the table comes from cases/listing.py and facets.py.
    """

    kind = None
    template_name = "cases/record_list.html"
    # Counted up to a cap, so a page's cost does not grow with the table.
    table_pagination = {"paginator_class": CappedCountPaginator}
    counts_facets = True

    @classmethod
    def params_read_by(cls, kind):
        """The GET parameters a table page reads (response_cache): its
        filters, sort, page, page size, export and moment."""
        return params_a_table_reads(kind.table, kind.filterset) | {asof.AS_OF_PARAM}

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.model, self.table_class = self.kind.model, self.kind.table
        self.filterset_class = self.kind.filterset
        self.notices = Notices()
        self.params = TableParameters(request, self.notices)

    def get(self, request, *args, **kwargs):
        if not self.export_format:
            return super().get(request, *args, **kwargs)

        def stream_export():
            return super(RecordListView, self).get(request, *args, **kwargs)

        # An export of unchanged data comes whole from the cache, before any
        # filter or row is looked at.
        return export_cache.cached_or_streamed(request, stream_export)

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_table(self.request.user)

    @cached_property
    def export_format(self):
        return self.params.export_format

    @cached_property
    def uniform_columns(self):
        read = not self.export_format
        return UniformColumns(self.get_table_class(), self.get_table_data(), read=read)

    def get_table_kwargs(self):
        return {"exclude": self.uniform_columns.names}

    def get_table_pagination(self, table):
        if self.export_format:
            # An export holds every matching row: no page, and no count to run.
            return False
        return {**self.table_pagination, "per_page": self.params.per_page}

    def get_table(self, **kwargs):
        # SingleTableMixin.get_table, configured from the parameters as
        # understood, each bad one with a notice (UnderstoodRequestConfig).
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        pagination = self.get_table_pagination(table)
        return UnderstoodRequestConfig(self.request, self.params, pagination).configure(table)

    def render_to_response(self, context, **response_kwargs):
        if self.export_format:
            # An invalid filter leaves no rows (FilterView's strict mode): an
            # empty export, not one of rows the reader did not ask for.
            rows = context["table"].data.data
            return exports.export_response(self.request, self.kind, rows, self.export_format)
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.export_format:
            return context
        filterset, table = self.filterset, context["table"]
        if filterset.is_bound and not filterset.is_valid():
            self.notices.add(
                _(
                    "Some filters could not be used (see the filter form). No rows are shown "
                    "until they are corrected or cleared."
                )
            )
        facets = FacetRunner(filterset).facets() if self.counts_facets else []
        context.update(
            page_title=self.kind.title,
            kind=self.kind.label,
            kind_plural=self.kind.label_plural,
            intro=self.kind.intro,
            notices=self.notices,
            facets=facets,
            same_on_every_row=self.uniform_columns.said(table, self.model),
            **self.params.form_context(table),
            **PageLinks(self.request, self.params.query).context(filterset, facets),
        )
        return context


class CitationListView(SingleTableMixin, FilterView):
    """The quotes of one source (`?source=<slug>`) or one record
    (`?record=<kind>:<slug>`), paged like a record table, with their CSV and
    JSON exports: where a record page's list of citations stops
    (RECORD_LIST_LIMIT), its "see all" link leads here."""

    template_name = "cases/citation_list.html"
    table_class = CitationTable
    filterset_class = CitationFilter
    table_pagination = {"paginator_class": KeysFirstPaginator}

    @classmethod
    def params_read_by(cls):
        """The GET parameters the table reads (cases/response_cache.py)."""
        return params_a_table_reads(cls.table_class, cls.filterset_class)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.notices = Notices()
        self.params = TableParameters(request, self.notices)

    def get_queryset(self):
        user = self.request.user
        return (
            Citation.objects.visible_to(user).supporting_records_visible_to(user).for_listing(user)
        )

    def get_table_pagination(self, table):
        return {**self.table_pagination, "per_page": self.params.per_page}

    def get(self, request, *args, **kwargs):
        export_format = self.params.export_format
        if export_format:
            filterset = self.get_filterset(self.get_filterset_class())
            rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
            return exports.citations_export_response(request, rows, export_format)
        return super().get(request, *args, **kwargs)

    def get_table(self, **kwargs):
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        pagination = self.get_table_pagination(table)
        return UnderstoodRequestConfig(self.request, self.params, pagination).configure(table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, table = self.filterset, context["table"]
        if filterset.is_bound and not filterset.is_valid():
            self.notices.add(
                _(
                    "Some filters could not be used (see the filter form). No rows are shown "
                    "until they are corrected or cleared."
                )
            )
        context.update(
            page_title=_("Quotes"),
            kind=_("quote"),
            kind_plural=_("quotes"),
            notices=self.notices,
            **self.params.form_context(table),
            **PageLinks(self.request, self.params.query).context(filterset, []),
        )
        # A table of quotes is its own citations.csv: CSV and JSON only.
        context["export_links"] = [
            (label, url)
            for label, url in context["export_links"]
            if f"{EXPORT_PARAM}=citations.csv" not in url
        ]
        return context


# --- Detail pages ------------------------------------------------------------


def record_context(request, kind, slug):
    """Everything a record's page (and its PDF brief) shows: the record, its
    fields as they read with their caveats and footnotes (cases/presentation.py),
    its citations and its related records, by relation name (see each
    QuerySet's detail_relations), each only as far as the reader may see them.

    Raises Http404 when there is no such record or the reader may not see it
    (a draft, to anyone but staff)."""
    records = kind.model.objects.visible_to(request.user).for_detail(request.user, lists=False)
    # A slug names one record: no order to sort it into (ordering by the
    # kind's Meta.ordering cost a tenth of the page's time in Django's SQL
    # compiler, issue 25).
    record = next(iter(records.filter(slug=slug).order_by()[:1]), None)
    if record is None:
        raise Http404(_("No %(kind)s at this address.") % {"kind": kind.label})
    # As the corrections log counts them: changes made since it was published.
    # The page links to RECORD_LIST_LIMIT of them; the log lists them all.
    log = corrections_of(record)
    limit = settings.RECORD_LIST_LIMIT
    corrections_to_record = list(log[: limit + 1])
    more_corrections = corrections_to_record[limit:]
    corrections_to_record = corrections_to_record[:limit]
    latest_correction = corrections_to_record[0] if corrections_to_record else None
    relations = records.detail_relations_of(record, request.user)
    lead, fields = presentation.present_record(record, kind, relations.get("citations", ()))
    context = {
        "record": record,
        "kind": kind.label,
        "kind_plural": kind.label_plural,
        "kind_name": kind.name,
        "heading": presentation.record_heading(record),
        "heading_language": presentation.heading_language(record),
        "lead": lead,
        "fields": fields,
        "related_sections": presentation.related_sections(kind, relations, record=record),
        "citations_more": presentation.more_entries(
            record, "citations", presentation.citations_url(record)
        ),
        "table_url": table_url(kind),
        "last_corrected": latest_correction["corrected_at"] if latest_correction else None,
        # Every public change's time, newest first (an as-of brief's "last
        # corrected"): read one at a time, only the times kept.
        "corrected_at": [row["corrected_at"] for row in log.iterator()]
        if more_corrections
        else [row["corrected_at"] for row in corrections_to_record],
        "corrections_url": presentation.corrections_url(record),
        "as_it_stood_links": as_it_stood_links(record, corrections_to_record),
        "more_corrections": bool(more_corrections),
        **relations,
    }
    if kind.shows_text:
        context["attributions_more"] = presentation.more_entries(
            record,
            "attributions",
            f"{reverse('cases:citation_list')}?{urlencode({'attributed_to': record.slug})}",
        )
        context["paragraphs"] = record.paragraphs
        context["citations_by_record"] = _citations_by_record(context["citations"])
        context["highlighted_paragraphs"] = highlighted_paragraphs(
            record.paragraphs, context["citations"]
        )
    return context


def as_it_stood_links(record, corrections):
    """For each correction, newest first: its time, its kind and the record
    brief of the record as it stood just before it (cases/asof.py). Each is
    labelled by its kind and its time to the second, so no two read alike."""
    return [
        {
            "corrected_at": row["corrected_at"],
            "change": ChangeKind(row["change_kind"]).label.lower(),
            "url": asof.brief_url_before(record, row["corrected_at"]),
        }
        for row in corrections
    ]


def records_relations(context, kind):
    """The related records of a record_context(), by relation name."""
    return {name: context.get(name) for name, _, _ in kind.related}


def _citations_by_record(citations):
    """[(record, [its citations])], records in the order the source first
    supports them."""
    grouped = {}
    for citation in citations:
        record = citation.record
        grouped.setdefault((type(record), record.pk), (record, []))[1].append(citation)
    return list(grouped.values())


@response_cache.reads_params(asof.AS_OF_PARAM)
def record_detail(request, slug, kind):
    try:
        context = record_context(request, kind, slug)
    except Http404:
        moved = moved_record_url(request, kind, slug)
        if moved is None:
            raise
        return HttpResponsePermanentRedirect(moved)
    return render(request, kind.page_template, context)


def moved_record_url(request, kind, slug):
    """Where the record once at this address is now, if it moved to another
    kind (cases.models.FormerAddress) and the reader may see it there."""
    address = FormerAddress.objects.filter(kind=kind.name, slug=slug).first()
    new_kind = KINDS_BY_NAME.get(address.moved_to_kind) if address else None
    if new_kind is None:
        return None
    record = (
        new_kind.model.objects.visible_to(request.user).filter(slug=address.moved_to_slug).first()
    )
    return record.get_absolute_url() if record is not None else None


# --- Corrections log ---------------------------------------------------------

CORRECTIONS_PER_PAGE = 25
# As long as a slug can be (PublishableRecord.slug).
SLUG_MAX_LENGTH = 120


@response_cache.reads_params("record", "page")
def corrections(request):
    """Every change to a published record since it was published, newest
    first, with what changed and why; `?record=<kind>:<slug>` narrows it to
    one record."""
    user = request.user
    requested = request.GET.get("record", "").strip()
    record = _corrected_record(requested, user) if requested else None
    if not requested:
        querysets = [kind.model.objects.visible_to(user) for kind in KINDS]
    elif record is not None:
        querysets = [type(record).objects.visible_to(user).filter(pk=record.pk)]
    else:
        # Nothing the reader may see goes by that name: say so, list nothing.
        querysets = []
    # The whole log also says which records were withdrawn, and why.
    log = corrections_log(querysets, withdrawals=not requested)
    page = Paginator(log, CORRECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    corrections = describe_corrections(page.object_list, user)
    if user.has_perm(roles.EXPORT_PDF_BRIEFS):
        # Those who may export briefs can open each record as it stood
        # before the correction (the log itself is the same for everyone).
        for correction in corrections:
            if correction.record is not None:
                correction.as_it_stood_url = asof.brief_url_before(
                    correction.record, correction.corrected_at
                )
    return render(
        request,
        "cases/corrections.html",
        {
            "page": page,
            "corrections": corrections,
            "corrected_records": group_by_record(corrections),
            "record": record,
            "unknown_record": quoted(requested) if requested and record is None else None,
            "record_param": urlencode({"record": requested}) if record else "",
        },
    )


def _corrected_record(key, user):
    """The record `key` ("agreement:safe-third-country") names, if `user` may see it."""
    name, _, slug = key.partition(":")
    kind = KINDS_BY_NAME.get(name)
    # Only a well-formed slug reaches the database (PostgreSQL rejects NUL).
    if kind is None or not slug_re.match(slug) or len(slug) > SLUG_MAX_LENGTH:
        return None
    return kind.model.objects.visible_to(user).filter(slug=slug).first()


# --- PDF briefs ----------------------------------------------------------------
# Each brief takes the context its HTML page already builds and a print
# template; cases/pdf.py renders it through the URL fetcher that serves only
# our static files.

# Briefs are for those allowed to export them (Editors, Admins; see
# cases/roles.py): every PDF view below carries this, and no other check.
# Anyone else gets 403; in a closed site, anonymous readers are sent to the
# login page before it (cases/site_mode.py).
# The refusal page says what to do: log in, or which role to ask for (cases/access.py).
_may_export_briefs = permission_required_with_message(
    roles.EXPORT_PDF_BRIEFS, gettext_lazy("download PDF briefs")
)


def brief_export_required(view):
    """The permission check, then the brief's language (`?lang=`, cases/pdf.py),
    then the brief from the cache when its data is unchanged (cases/brief_cache.py)."""
    return _may_export_briefs(pdf.in_requested_language(brief_cache.served_from_cache(view)))


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


@response_cache.reads_params(asof.AS_OF_PARAM, *pdf.BRIEF_PARAMS)
@brief_export_required
def record_brief(request, slug, kind):
    """A record's page as a PDF: its fields, related records and citations;
    with `?as_of=`, its own fields as they stood then (cases/asof.py) and
    the corrections made since."""
    context = record_context(request, kind, slug)
    record = context["record"]
    try:
        moment = asof.requested_moment(request)
        if moment is not None:
            record = asof.record_as_it_stood(record, kind.model, moment, request.user)
            # "Last corrected" as it stood then, not the latest correction.
            context["last_corrected"] = asof.last_corrected_at(context["corrected_at"], moment)
            context["changes_since"] = asof.changes_since(
                [kind.model.objects.visible_to(request.user).filter(pk=record.pk)],
                moment,
                request.user,
            )
            context["history_limits"] = asof.HISTORY_LIMITS
            context["heading"] = presentation.record_heading(record)
        # A brief prints every label and quote whole, its notes numbered in
        # the order a reader meets them, one per distinct quote. (A source's
        # citations are the quotes taken from it, listed by what they support.)
        if kind.shows_text:
            context["lead"], context["fields"] = presentation.present_record(
                record, kind, context.get("citations", ()), length=None
            )
        else:
            notes = pdf.NoteNumbers()
            context["lead"], context["fields"], context["record_notes"] = (
                dossier.present_with_notes(
                    record, kind, list(context.get("citations", ())), notes, words_in_name=False
                )
            )
            context["citations"] = notes.endnotes
        context["related_sections"] = presentation.related_sections(
            kind, records_relations(context, kind), length=None, record=context["record"]
        )
        return pdf.render_pdf(
            request,
            kind.brief_template,
            context,
            title=presentation.record_label(record),
            filename=pdf.brief_filename(slugify(kind.label), slug),
            kind_label=capfirst(_("%(kind)s brief") % {"kind": kind.label}),
            as_of=moment,
            permalink=record.get_absolute_url(),
            data_changed_at=brief_cache.data_changed_at(request),
        )
    except pdf.BriefRefused as refusal:
        return pdf.refusal_response(request, refusal, record.get_absolute_url())


class TableBriefView(RecordListView):
    """A table page as a PDF: the list view's own filters, sort and rows, all
    of them rather than one page, headed by the active filters."""

    # The brief is never an export, whatever `_export` says.
    export_format = None
    # A brief prints the active filters, not the facets' counts.
    counts_facets = False

    @classmethod
    def params_read_by(cls, kind):
        return super().params_read_by(kind) | set(pdf.BRIEF_PARAMS)

    @method_decorator(brief_export_required)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_table_pagination(self, table):
        return False

    def get(self, request, *args, **kwargs):
        self.filters_applied_today = []
        try:
            self.as_of = asof.requested_moment(request)
        except pdf.BriefRefused as refusal:
            return pdf.refusal_response(request, refusal, self.table_page_url())
        return super().get(request, *args, **kwargs)

    def get_table_data(self):
        """The rows as filtered now, or (`?as_of=`) the rows whose own fields
        matched the filters then, as they stood then (cases/asof.py)."""
        if self.as_of is None:
            return super().get_table_data()
        if self.filterset.is_bound and not self.filterset.is_valid():
            return []
        rows, self.filters_applied_today = asof.filter_as_it_stood(
            self.filterset, self.as_of, self.request.user
        )
        return rows

    def render_to_response(self, context, **response_kwargs):
        table, back_url = context["table"], self.table_page_url()
        try:
            rows = printable_rows(self.filterset, table, TABLE_BRIEF_ROW_CAP)
            # Printed cells are never shortened: a brief prints quotes whole.
            table.in_print = True
            context.update(row_count=rows, table_url=back_url, sort_columns=sort_in_words(table))
            context.update(self.as_of_context())
            landscape = len(table.columns) > PORTRAIT_MAX_COLUMNS
            context.update(self.printed_table(table, landscape))
            title = context["page_title"]
            return pdf.render_pdf(
                self.request,
                "cases/pdf/table_brief.html",
                context,
                title=_("%(table)s, as filtered") % {"table": title}
                if context["active_filters"]
                else title,
                filename=pdf.brief_filename(slugify(self.kind.label_plural)),
                landscape=landscape,
                kind_label=_("Table brief"),
                as_of=self.as_of,
                permalink=back_url,
                data_changed_at=brief_cache.data_changed_at(self.request),
            )
        except pdf.BriefRefused as refusal:
            return pdf.refusal_response(self.request, refusal, back_url)

    def printed_table(self, table, landscape):
        """The table's headers and cells, each cell rendered once, and each
        column's width from what it holds on this paper (cases/pdf.py)."""
        headers = [column.header for column in table.columns]
        rows = [[cell for _column, cell in row.items()] for row in table.rows]
        width = pdf.usable_width_mm(pdf.paper_from(self.request), landscape)
        widths = pdf.column_widths(headers, rows, width)
        return {"printed_columns": list(zip(headers, widths, strict=True)), "printed_rows": rows}

    def as_of_context(self):
        """With `?as_of=`: the corrections made since, and which filters only
        today's values could answer."""
        if self.as_of is None:
            return {}
        user = self.request.user
        return {
            "changes_since": asof.changes_since(
                [self.model.objects.visible_to(user)], self.as_of, user
            ),
            "history_limits": asof.HISTORY_LIMITS,
            "filters_applied_today": self.filters_applied_today,
        }

    def table_page_url(self):
        """The table page this brief prints, with the same filters and sort."""
        params = self.request.GET.copy()
        params.pop("paper", None)
        params.pop(asof.AS_OF_PARAM, None)
        return table_url(self.kind) + (f"?{params.urlencode()}" if params else "")


@response_cache.reads_params(asof.AS_OF_PARAM, *pdf.BRIEF_PARAMS)
@brief_export_required
def case_dossier(request):
    """The whole case as one PDF, as far as the reader may see it, as the
    records are now or (`?as_of=`) as they stood then: see cases/dossier.py."""
    user = request.user
    try:
        _refuse_a_dossier_past_its_cap(user)
        moment = asof.requested_moment(request)
        context = dossier.dossier_context(user, moment)
        if moment is not None:
            context.update(_dossier_as_of(context, moment, user))
        return pdf.render_pdf(
            request,
            "cases/pdf/dossier.html",
            context,
            title=_("Case dossier: U.S. deportations to El Salvador"),
            filename=pdf.brief_filename("case-dossier"),
            kind_label=_("Case dossier"),
            as_of=moment,
            data_changed_at=brief_cache.data_changed_at(request),
        )
    except pdf.BriefRefused as refusal:
        return pdf.refusal_response(request, refusal, reverse("cases:home"))


def _refuse_a_dossier_past_its_cap(user):
    records = sum(count_each([kind.model.objects.visible_to(user) for kind in KINDS]))
    if records > DOSSIER_RECORD_CAP:
        raise pdf.BriefRefused(
            _(
                "The case holds %(records)s records, more than a dossier prints (%(cap)s). "
                "Use the PDF brief of each table, filtered, instead."
            )
            % {
                "records": number_format(records, force_grouping=True),
                "cap": number_format(DOSSIER_RECORD_CAP, force_grouping=True),
            },
            status=200,
        )


def _dossier_as_of(context, moment, user):
    """A dossier as the case stood at `moment`: refused if nothing was in the
    tracker yet, else with the corrections made since."""
    if not any(section["entries"] for section in context["sections"]):
        raise pdf.BriefRefused(
            _("Nothing was in the tracker yet on %(moment)s.")
            % {"moment": asof.format_moment(moment)}
        )
    return {
        "changes_since": asof.changes_since(
            [kind.model.objects.visible_to(user) for kind in KINDS], moment, user
        ),
        "history_limits": asof.HISTORY_LIMITS,
    }
