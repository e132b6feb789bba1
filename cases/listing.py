"""What a table page (cases/views.py, RecordListView) is made of besides its
table and filters, each a small object with one job: the parameters as
understood (with a notice for each that could not be used), the table
configured from them, the page's links (active filters, facets, exports) and
the columns every row holds one value of.

Bad parameters never give a 500: the page says what was ignored or what to
correct, and shows what it understood instead.
"""

from django.core.paginator import EmptyPage
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from . import exports
from .facets import display_value
from .pagination import capped_count_display, count_up_to
from .pdf import BriefRefused
from .querysets import uniform_values

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
PER_PAGE_CHOICES = (10, 25, 50, 100)
# How much of a bad parameter a notice repeats back.
NOTICE_VALUE_LENGTH = 40
EXPORT_PARAM = "_export"
# How far a refused table brief counts the rows it will not print.
REFUSAL_COUNT_CAP = 10_000


def quoted(value):
    return f"“{Truncator(str(value)).chars(NOTICE_VALUE_LENGTH)}”"


class Notices(list):
    """What the page says it ignored or changed, each said once, in the order found."""

    def add(self, text):
        if text not in self:
            self.append(text)


class TableParameters:
    """The table's own GET parameters (export, page size, sort, page) as
    understood; each one that cannot be used adds a notice and falls back."""

    def __init__(self, request, notices):
        self.request = request
        self.notices = notices

    def _get(self, name):
        return self.request.GET.get(name, "").strip()

    @cached_property
    def export_format(self):
        requested = self._get(EXPORT_PARAM)
        if not requested:
            return None
        if requested in exports.FORMATS:
            return requested
        self.notices.add(
            _("There is no export as %(requested)s; choose one of %(formats)s.")
            % {"requested": quoted(requested), "formats": ", ".join(exports.FORMATS)}
        )
        return None

    @cached_property
    def per_page(self):
        requested = self._get("per_page")
        if not requested:
            return DEFAULT_PER_PAGE
        try:
            per_page = int(requested)
        except ValueError:
            per_page = 0
        if per_page < 1:
            self.notices.add(
                _("%(requested)s is not a number of rows; showing %(rows)s rows per page.")
                % {"requested": quoted(requested), "rows": DEFAULT_PER_PAGE}
            )
            return DEFAULT_PER_PAGE
        if per_page > MAX_PER_PAGE:
            self.notices.add(
                _("At most %(rows)s rows fit on a page; showing %(rows)s.") % {"rows": MAX_PER_PAGE}
            )
            return MAX_PER_PAGE
        return per_page

    def sort(self, table):
        """The sort columns asked for that the table has ("-date" is descending);
        the others are left out with a notice."""
        sort = []
        for requested in self.request.GET.getlist(table.order_by_field):
            for alias in requested.split(","):
                name = alias.strip().removeprefix("-")
                if name in table.columns and table.columns[name].orderable:
                    sort.append(alias.strip())
                else:
                    self.notices.add(
                        _("The table cannot be sorted by %(sort)s; showing the usual order.")
                        % {"sort": quoted(alias)}
                    )
        return sort

    def page_number(self, table):
        """The page asked for, from 1; a page that is not one is the first, with a notice."""
        requested = self._get(table.page_field)
        if not requested:
            return 1
        try:
            number = int(requested)
        except ValueError:
            number = 0
        if number < 1:
            self.notices.add(
                _("There is no page %(page)s; showing the first page.")
                % {"page": quoted(requested)}
            )
            return 1
        return number

    def form_context(self, table):
        """The page size and sort as understood, for the filter form to carry on."""
        return {
            "query": self.query,
            "per_page": self.per_page,
            "per_page_choices": sorted({*PER_PAGE_CHOICES, self.per_page}),
            # The sort the table understood, carried on when filters change.
            "sort_values": [str(alias) for alias in table.order_by or ()],
        }

    @cached_property
    def query(self):
        """The GET parameters the page's links carry on: the page size as
        understood (a capped or bad one is not repeated), no export trigger."""
        params = self.request.GET.copy()
        params.pop(EXPORT_PARAM, None)
        if "per_page" in params:
            params["per_page"] = str(self.per_page)
        return params


class UnderstoodRequestConfig(RequestConfig):
    """django-tables2's RequestConfig, configuring the table from the
    parameters as TableParameters understood them rather than from GET as
    given (which would take "per_page=100000" whole and "page=-3" as the last
    page, and drop a sort silently). A page past the last shows the last,
    with a notice."""

    def __init__(self, request, params, paginate=True):
        super().__init__(request, paginate=paginate)
        self.params = params

    def configure(self, table):
        table.request = self.request
        sort = self.params.sort(table)
        if sort:
            table.order_by = sort
        if self.paginate:
            self._paginate(table, self.params.page_number(table))
        return table

    def _paginate(self, table, number):
        options = dict(self.paginate) if hasattr(self.paginate, "items") else {}
        try:
            table.paginate(page=number, **options)
        except EmptyPage:
            paginator = table.paginator
            last = (
                paginator.last_page_number()
                if hasattr(paginator, "last_page_number")
                else paginator.num_pages
            )
            self.params.notices.add(
                _("There is no page %(page)s; showing the last page, %(last)s.")
                % {"page": number, "last": last}
            )
            table.page = table.paginator.page(last)


class PageLinks:
    """This table page's URL with some parameters changed, for the links
    that filter, unfilter and export it."""

    def __init__(self, request, query):
        self.path = request.path
        self.query = query

    def with_changes(self, *, keep_page=False, **changes):
        """The URL with `changes` (None removes a parameter), from page 1 unless `keep_page`."""
        params = self.query.copy()
        if not keep_page:
            params.pop("page", None)
        for name, value in changes.items():
            params.pop(name, None)
            if value is not None:
                params[name] = value
        return f"{self.path}?{params.urlencode()}" if params else self.path

    def context(self, filterset, facets):
        """The page's links: each active filter's, each facet option's, the exports'."""
        return {
            "active_filters": self.active_filters(filterset),
            "clear_all_url": self.clear_all(filterset),
            "export_links": self.exports(),
            "facet_lists": self.facet_lists(facets),
            "filter_fields": filter_fields(filterset, facets),
        }

    def clear_all(self, filterset):
        return self.with_changes(**dict.fromkeys(filterset.filters))

    def exports(self):
        """[(label, URL)]: every matching row, so no page size."""
        return [
            (label, self.with_changes(per_page=None, **{EXPORT_PARAM: export_format}))
            for export_format, label in exports.FORMATS.items()
        ]

    def active_filters(self, filterset):
        """What the GET parameters ask the filters for, each with a link that
        removes it; one not understood says so."""
        if not filterset.is_bound:
            return []
        valid = filterset.active_values()
        active = []
        for name, field in filterset.form.fields.items():
            raw = filterset.data.get(name, "")
            if not str(raw).strip() or (name not in valid and name not in filterset.form.errors):
                continue
            understood = name in valid
            active.append(
                {
                    "label": field.label,
                    "value": (
                        display_value(
                            field,
                            valid[name],
                            raw,
                            getattr(filterset.filters[name], "value_label", str),
                        )
                        if understood
                        else str(raw)
                    ),
                    "understood": understood,
                    "remove_url": self.with_changes(**{name: None}),
                }
            )
        return active

    def facet_lists(self, facets):
        """Each facet (cases/facets.py) as a list of links with counts, as
        Datasette shows them: one click filters by an option, another (on the
        chosen one) removes the filter."""
        lists = []
        for facet in facets:
            options = [
                {
                    "label": option.label,
                    "count": option.count,
                    "selected": option.selected,
                    "url": self.with_changes(
                        **{facet.name: None if option.selected else option.value}
                    ),
                }
                for option in facet.options
                if option.value
            ]
            if options:
                lists.append({"name": facet.name, "label": facet.label, "options": options})
        return lists


def filter_fields(filterset, facets):
    """[(bound form field, its Facet or None)], in the form's order, for the filter form."""
    by_name = {facet.name: facet for facet in facets}
    return [(field, by_name.get(field.name)) for field in filterset.form]


class UniformColumns:
    """The columns a table leaves out because every matching row holds the
    same value (the table's `drop_when_uniform`), found in one query."""

    def __init__(self, table_class, data, *, read=True):
        self.drop = getattr(table_class, "drop_when_uniform", {})
        self.values = uniform_values(data, self.drop) if self.drop and read else {}

    @property
    def names(self):
        return list(self.values)

    def said(self, table, model):
        """(header, value in words) for each column left out, said once above the table."""
        said = []
        for name, values in self.values.items():
            column = table.base_columns[name]
            # The one value uniform_values() read, worded as the column
            # words it: no second query for a row to render.
            record = model(**dict(zip(self.drop[name], values, strict=True)))
            said.append((column.verbose_name, column.render(record=record)))
        return said


def sort_in_words(table):
    """The table's sort in words, e.g. ["Date (descending)"]; unknown columns are ignored."""
    return [
        _("%(column)s (descending)") % {"column": table.columns[order.bare].header}
        if order.is_descending
        else str(table.columns[order.bare].header)
        for order in table.order_by or ()
        if order.bare in table.columns
    ]


# --- Table briefs (cases/views.py, TableBriefView) ----------------------------


def printable_rows(filterset, table, cap):
    """How many rows a table brief prints: BriefRefused when the filters are
    not understood, or match more than `cap` rows."""
    if filterset.is_bound and not filterset.is_valid():
        raise BriefRefused(filter_errors_message(filterset))
    data = table.data.data
    # Counted, not loaded: a brief refused for 100,000 rows answers at once.
    rows = count_up_to(data, REFUSAL_COUNT_CAP) if isinstance(data, QuerySet) else len(data)
    if rows > cap:
        raise BriefRefused(
            _(
                "These filters match %(rows)s rows; a PDF brief prints at most "
                "%(cap)s. Narrow the filters and try again, or download the table as CSV."
            )
            % {
                "rows": capped_count_display(rows, REFUSAL_COUNT_CAP),
                "cap": number_format(cap, force_grouping=True),
            },
            status=200,
        )
    return rows


def filter_errors_message(filterset):
    """Why the filters could not be used, field by field, in one sentence."""
    fields = filterset.form.fields
    problems = [
        f"{fields[name].label if name in fields else name}: {' '.join(errors)}"
        for name, errors in filterset.form.errors.items()
    ]
    return _("These filters could not be used, so no PDF was made.") + " " + " ".join(problems)
