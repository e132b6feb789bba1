"""Public, read-only pages. Views stay thin: queries live in querysets.py,
columns in tables.py, filters in filters.py."""

from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.core.validators import slug_re
from django.db.models import Subquery
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.text import Truncator, capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import asof, dossier, exports, pdf, presentation, roles
from .access import permission_required_with_message
from .highlights import highlighted_paragraphs
from .kinds import KINDS, KINDS_BY_NAME, TIMELINE_KINDS, kind_of
from .models import Event, Source
from .pagination import CappedCountPaginator, capped_count_display, count_up_to
from .querysets import (
    clean_search_text,
    corrections_log,
    count_each,
    describe_corrections,
    entries_of,
    group_by_record,
    latest_update,
    records_for_entries,
    timeline_entries,
    uniform_values,
)
from .search import Search

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


def home(request):
    user = request.user
    visible = [kind.model.objects.visible_to(user) for kind in KINDS]
    counts = count_each(visible)
    kinds = [
        {"label": kind.label_plural, "count": count, "url": table_url(kind)}
        for kind, count in zip(KINDS, counts, strict=True)
    ]
    latest_events = Event.objects.visible_to(user).for_listing(user).latest_first()
    return render(
        request,
        "cases/home.html",
        {
            "key_figures": key_figures(user),
            "data_as_of": latest_update(visible),
            "kinds": kinds,
            "latest_events": latest_events[:LATEST_EVENTS_ON_HOME],
        },
    )


def key_figures(user):
    """The case in a few sentences, computed from the records an editor marks
    as key figures, and the latest dated event: each worded with its caveats
    (cases/presentation.py), so a correction to a record changes its figure.
    One query finds them; each kind with some is then loaded with what its
    page shows, so the cost does not grow with the number of records."""
    marked = [kind.model.objects.visible_to(user).key_figures() for kind in KINDS]
    events = Event.objects.visible_to(user)
    latest_date = events.filter(date__isnull=False).order_by("-date").values("date")[:1]
    latest_events = events.filter(date=Subquery(latest_date))
    entries = entries_of([*marked, latest_events])
    figures = []
    for position, pks in entries.items():
        kind = KINDS[position] if position < len(KINDS) else kind_of(Event)
        records = kind.model.objects.visible_to(user).filter(pk__in=pks).for_detail(user)
        for record in records:
            if any(figure["record"] == record for figure in figures):
                continue
            relations = records.detail_relations_of(record)
            figures.append(presentation.key_figure(record, kind, relations))
    return figures


def search(request):
    query = clean_search_text(request.GET.get("q", ""))
    # One Search for every kind, so each linked record is looked up once.
    search = Search(query, request.user)
    kinds = [_search_kind(kind, search, request.user) for kind in KINDS] if query else []
    total = sum(kind["total"] for kind in kinds)
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
        },
    )


def _search_kind(kind, query, user):
    matches = kind.model.objects.visible_to(user).search(query, user)
    results = list(matches.for_listing(user)[: SEARCH_RESULTS_PER_KIND + 1])
    # Most searches fit on the page, and then the rows are the count.
    total = len(results)
    if total > SEARCH_RESULTS_PER_KIND:
        total = count_up_to(matches, SEARCH_COUNT_CAP)
    return {
        "label": kind.label_plural,
        "results": results[:SEARCH_RESULTS_PER_KIND],
        "total": min(total, SEARCH_COUNT_CAP),
        "is_capped": total > SEARCH_COUNT_CAP,
        "total_display": capped_count_display(total, SEARCH_COUNT_CAP),
        "table_url": table_url(kind, q=query.text),
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


DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
PER_PAGE_CHOICES = (10, 25, 50, 100)
# How much of a bad parameter a notice repeats back.
NOTICE_VALUE_LENGTH = 40
EXPORT_PARAM = "_export"


def _quoted(value):
    return f"“{Truncator(str(value)).chars(NOTICE_VALUE_LENGTH)}”"


class RecordListView(SingleTableMixin, FilterView):
    """A table of one kind of record: filters with facet counts, sortable
    columns, a page size the reader picks (capped), and CSV and JSON exports of
    every matching row (cases/exports.py). Everything is in the GET
    parameters, so any view of a table is a URL to bookmark or share.

    One view serves every kind: urls.py passes the Kind (cases/kinds.py),
    which names the model, table and filter set. The rows are always the
    model's visible_to(user).for_table(user). Subclasses (the PDF briefs) get
    the same filtered, sorted rows from get_table(); overriding
    get_table_pagination() to return False gives all of them on one page.

    Bad parameters never give a 500: the page says what was ignored or what to
    correct (`notices`), and an invalid filter shows no rows rather than rows
    the reader did not ask for.
    """

    kind = None
    template_name = "cases/record_list.html"
    table_pagination = {"per_page": DEFAULT_PER_PAGE}

    @property
    def model(self):
        return self.kind.model

    @property
    def table_class(self):
        return self.kind.table

    @property
    def filterset_class(self):
        return self.kind.filterset

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
        requested = self.request.GET.get(EXPORT_PARAM, "").strip()
        if not requested:
            return None
        if requested in exports.FORMATS:
            return requested
        self.notice(
            _("There is no export as %(requested)s; choose one of %(formats)s.")
            % {"requested": _quoted(requested), "formats": ", ".join(exports.FORMATS)}
        )
        return None

    def render_to_response(self, context, **response_kwargs):
        if self.export_format:
            # An invalid filter leaves no rows (FilterView's strict mode): an
            # empty export, not one of rows the reader did not ask for.
            return exports.export_response(
                self.request,
                self.kind,
                context["table"].data.data,
                self.export_format,
            )
        return super().render_to_response(context, **response_kwargs)

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
                _("%(requested)s is not a number of rows; showing %(rows)s rows per page.")
                % {"requested": _quoted(requested), "rows": DEFAULT_PER_PAGE}
            )
            return DEFAULT_PER_PAGE
        if per_page > MAX_PER_PAGE:
            self.notice(
                _("At most %(rows)s rows fit on a page; showing %(rows)s.") % {"rows": MAX_PER_PAGE}
            )
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
        data = self.get_table_data()
        drop = getattr(self.get_table_class(), "drop_when_uniform", {})
        self.uniform_columns = {}
        if drop and not self.export_format:
            self.uniform_columns = uniform_values(data, drop)
            kwargs["exclude"] = list(self.uniform_columns)
        table = self.get_table_class()(data=data, **kwargs)
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
                        _("The table cannot be sorted by %(sort)s; showing the usual order.")
                        % {"sort": _quoted(alias)}
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
                self.notice(
                    _("There is no page %(page)s; showing the first page.")
                    % {"page": _quoted(requested)}
                )
                number = 1
        try:
            table.paginate(page=number, **pagination)
        except EmptyPage:
            last = table.paginator.num_pages
            self.notice(
                _("There is no page %(page)s; showing the last page, %(last)s.")
                % {"page": number, "last": last}
            )
            table.page = table.paginator.page(last)

    @cached_property
    def query(self):
        """The GET parameters the page's links carry on: the page size as
        understood (a capped or bad one is not repeated), no export trigger."""
        params = self.request.GET.copy()
        params.pop(EXPORT_PARAM, None)
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

    def facet_lists(self):
        """Each facet as a list of links with counts, as Datasette shows
        them: one click filters by an option, another (on the chosen one)
        removes the filter. The same Facet data the filter form renders."""
        lists = []
        for facet in self.filterset.facets():
            options = [
                {
                    "label": option.label,
                    "count": option.count,
                    "selected": option.selected,
                    "url": self.url_with(**{facet.name: None if option.selected else option.value}),
                }
                for option in facet.options
                if option.value
            ]
            if options:
                lists.append({"name": facet.name, "label": facet.label, "options": options})
        return lists

    def same_on_every_row(self, table):
        """The columns left out because every matching row holds the same
        value, as (header, value in words), said once above the table."""
        said = []
        drop = getattr(type(table), "drop_when_uniform", {})
        for name, values in getattr(self, "uniform_columns", {}).items():
            column = table.base_columns[name]
            # The one value uniform_values() read, worded as the column
            # words it: no second query for a row to render.
            record = self.model(**dict(zip(drop[name], values, strict=True)))
            said.append((column.verbose_name, column.render(record=record)))
        return said

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.export_format:
            return context
        if self.filterset.is_bound and not self.filterset.is_valid():
            self.notice(
                _(
                    "Some filters could not be used (see the filter form). No rows are shown "
                    "until they are corrected or cleared."
                )
            )
        self.filterset.show_facet_counts()
        active_filters = self.active_filter_links()
        context.update(
            page_title=self.kind.title,
            kind=self.kind.label,
            kind_plural=self.kind.label_plural,
            intro=self.kind.intro,
            query=self.query,
            notices=self.notices,
            active_filters=active_filters,
            clear_all_url=self.url_with(**dict.fromkeys(self.filterset.filters)),
            export_links=[
                (label, self.url_with(per_page=None, **{EXPORT_PARAM: export_format}))
                for export_format, label in exports.FORMATS.items()
            ],
            same_on_every_row=self.same_on_every_row(context["table"]),
            facet_lists=self.facet_lists(),
            per_page=self.per_page,
            per_page_choices=sorted({*PER_PAGE_CHOICES, self.per_page}),
            # The sort the table understood, carried on when filters change.
            sort_values=[str(alias) for alias in context["table"].order_by or ()],
        )
        return context


# --- Detail pages ------------------------------------------------------------


def record_context(request, kind, slug):
    """Everything a record's page (and its PDF brief) shows: the record, its
    fields as they read with their caveats and footnotes (cases/presentation.py),
    its citations and its related records, by relation name (see each
    QuerySet's detail_relations), each only as far as the reader may see them.

    Raises Http404 when there is no such record or the reader may not see it
    (a draft, to anyone but staff)."""
    records = kind.model.objects.visible_to(request.user).for_detail(request.user)
    record = records.filter(slug=slug).first()
    if record is None:
        raise Http404(_("No %(kind)s at this address.") % {"kind": kind.label})
    # As the corrections log counts them: changes made since it was published.
    corrections_to_record = list(corrections_log([records.filter(pk=record.pk)]))
    latest_correction = corrections_to_record[0] if corrections_to_record else None
    relations = records.detail_relations_of(record)
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
        "related_sections": presentation.related_sections(kind, relations),
        "table_url": table_url(kind),
        "last_corrected": latest_correction["corrected_at"] if latest_correction else None,
        "corrections_url": presentation.corrections_url(record),
        "as_it_stood_links": as_it_stood_links(record, corrections_to_record),
        **relations,
    }
    if kind.model is Source:
        context["paragraphs"] = record.paragraphs
        context["citations_by_record"] = _citations_by_record(context["citations"])
        context["highlighted_paragraphs"] = highlighted_paragraphs(
            record.paragraphs, context["citations"]
        )
    return context


def as_it_stood_links(record, corrections):
    """For each correction, newest first: its time and the record brief of
    the record as it stood just before it (cases/asof.py)."""
    return [
        {
            "corrected_at": row["corrected_at"],
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


def record_detail(request, slug, kind):
    return render(request, kind.page_template, record_context(request, kind, slug))


# --- Corrections log ---------------------------------------------------------

CORRECTIONS_PER_PAGE = 25
# As long as a slug can be (PublishableRecord.slug).
SLUG_MAX_LENGTH = 120


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
            "unknown_record": _quoted(requested) if requested and record is None else None,
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
    """The permission check, then the brief's language (`?lang=`, cases/pdf.py)."""
    return _may_export_briefs(pdf.in_requested_language(view))


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
            context["changes_since"] = asof.changes_since(
                [kind.model.objects.visible_to(request.user).filter(pk=record.pk)],
                moment,
                request.user,
            )
            context["history_limits"] = asof.HISTORY_LIMITS
            context["heading"] = presentation.record_heading(record)
        # A brief prints every label and quote whole.
        context["lead"], context["fields"] = presentation.present_record(
            record, kind, context.get("citations", ()), length=None
        )
        context["related_sections"] = presentation.related_sections(
            kind, records_relations(context, kind), length=None
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
        )
    except pdf.BriefRefused as refusal:
        return pdf.refusal_response(request, refusal, record.get_absolute_url())


class TableBriefView(RecordListView):
    """A table page as a PDF: the list view's own filters, sort and rows, all
    of them rather than one page, headed by the active filters."""

    # The brief is never an export, whatever `_export` says.
    export_format = None

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
        table = context["table"]
        back_url = self.table_page_url()
        try:
            if self.filterset.is_bound and not self.filterset.is_valid():
                raise pdf.BriefRefused(self.filter_errors_message())
            rows = len(table.rows)
            if rows > TABLE_BRIEF_ROW_CAP:
                raise pdf.BriefRefused(
                    _(
                        "These filters match %(rows)s rows; a PDF brief prints at most "
                        "%(cap)s. Narrow the filters and try again, or download the table as CSV."
                    )
                    % {
                        "rows": number_format(rows, force_grouping=True),
                        "cap": number_format(TABLE_BRIEF_ROW_CAP, force_grouping=True),
                    },
                    status=200,
                )
            title = context["page_title"]
            # Printed cells are never shortened: a brief prints quotes whole.
            table.in_print = True
            if self.as_of is not None:
                context["changes_since"] = asof.changes_since(
                    [self.model.objects.visible_to(self.request.user)],
                    self.as_of,
                    self.request.user,
                )
                context["history_limits"] = asof.HISTORY_LIMITS
                context["filters_applied_today"] = self.filters_applied_today
            return pdf.render_pdf(
                self.request,
                "cases/pdf/table_brief.html",
                {
                    **context,
                    "row_count": rows,
                    "table_url": back_url,
                    "sort_columns": self.sort_columns(table),
                },
                title=_("%(table)s, as filtered") % {"table": title}
                if context["active_filters"]
                else title,
                filename=pdf.brief_filename(slugify(self.kind.label_plural)),
                landscape=len(table.columns) > PORTRAIT_MAX_COLUMNS,
                kind_label=_("Table brief"),
                as_of=self.as_of,
                permalink=back_url,
            )
        except pdf.BriefRefused as refusal:
            return pdf.refusal_response(self.request, refusal, back_url)

    def filter_errors_message(self):
        fields = self.filterset.form.fields
        problems = [
            f"{fields[name].label if name in fields else name}: {' '.join(errors)}"
            for name, errors in self.filterset.form.errors.items()
        ]
        return _("These filters could not be used, so no PDF was made.") + " " + " ".join(problems)

    @staticmethod
    def sort_columns(table):
        """The sort in words, e.g. ["Date (descending)"]; unknown columns are ignored."""
        return [
            _("%(column)s (descending)") % {"column": table.columns[order.bare].header}
            if order.is_descending
            else str(table.columns[order.bare].header)
            for order in table.order_by or ()
            if order.bare in table.columns
        ]

    def table_page_url(self):
        """The table page this brief prints, with the same filters and sort."""
        params = self.request.GET.copy()
        params.pop("paper", None)
        params.pop(asof.AS_OF_PARAM, None)
        return table_url(self.kind) + (f"?{params.urlencode()}" if params else "")


@brief_export_required
def case_dossier(request):
    """The whole case as one PDF, as far as the reader may see it, as the
    records are now or (`?as_of=`) as they stood then: see cases/dossier.py."""
    user = request.user
    counts = count_each([kind.model.objects.visible_to(user) for kind in KINDS])
    if sum(counts) > DOSSIER_RECORD_CAP:
        refusal = pdf.BriefRefused(
            _(
                "The case holds %(records)s records, more than a dossier prints (%(cap)s). "
                "Use the PDF brief of each table, filtered, instead."
            )
            % {
                "records": number_format(sum(counts), force_grouping=True),
                "cap": number_format(DOSSIER_RECORD_CAP, force_grouping=True),
            },
            status=200,
        )
        return pdf.refusal_response(request, refusal, reverse("cases:home"))
    try:
        moment = asof.requested_moment(request)
        context = dossier.dossier_context(user, moment)
        if moment is not None:
            if not any(section["entries"] for section in context["sections"]):
                raise pdf.BriefRefused(
                    _("Nothing was in the tracker yet on %(moment)s.")
                    % {"moment": asof.format_moment(moment)}
                )
            context["changes_since"] = asof.changes_since(
                [kind.model.objects.visible_to(user) for kind in KINDS], moment, user
            )
            context["history_limits"] = asof.HISTORY_LIMITS
        return pdf.render_pdf(
            request,
            "cases/pdf/dossier.html",
            context,
            title=_("Case dossier: U.S. deportations to El Salvador"),
            filename=pdf.brief_filename("case-dossier"),
            kind_label=_("Case dossier"),
            as_of=moment,
        )
    except pdf.BriefRefused as refusal:
        return pdf.refusal_response(request, refusal, reverse("cases:home"))
