"""Pagination that counts at most COUNT_CAP rows, so a table page's cost does
not grow with the table: above the cap the page says "10,000+ transfers", and
the reader can still page on past it (a page beyond the counted rows is
shown when it holds rows)."""

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django_tables2.rows import BoundRows

# The largest row offset the databases take (a signed 64-bit integer, in
# PostgreSQL and SQLite alike): past the counted rows a page number is only
# checked by asking for the page, and one beyond this would be a database
# error ("bigint out of range") rather than an empty page.
MAX_ROW_OFFSET = 2**63 - 1
# From this row offset on, a page reads its rows' keys first and then only
# those rows. An OFFSET query over the rows themselves builds every skipped
# row (its joined relations and per-row subqueries) and sorts them whole: at
# page 2,000 of 100,000 transfers that took 360 ms, against a few ms for
# the keys through the sort index (make bench, issue 15).
KEYS_FIRST_OFFSET = 1_000


def capped_count_display(count, cap):
    """A count as a page says it: "1,234", or "10,000+" past `cap`, its
    digits grouped as the reader's language groups them."""
    if count > cap:
        return f"{number_format(cap, force_grouping=True)}+"
    return number_format(count, force_grouping=True)


def count_up_to(queryset, limit):
    """How many rows `queryset` holds, counted no further than limit + 1: one
    COUNT over a LIMITed subquery, whose cost stops growing past `limit`."""
    return queryset.order_by()[: limit + 1].count()


class CappedCountPage(Page):
    def has_next(self):
        if not self.paginator.count_is_capped:
            return super().has_next()
        # Past the count: there may be a next page while this one is full.
        return len(self) == self.paginator.per_page

    def end_index(self):
        if not self.paginator.count_is_capped:
            return super().end_index()
        return self.start_index() + len(self) - 1


class CappedCountPaginator(Paginator):
    @property
    def keys_first_offset(self):
        """The row offset from which a page reads its rows' keys first."""
        return KEYS_FIRST_OFFSET

    def _get_page(self, *args, **kwargs):
        return CappedCountPage(*args, **kwargs)

    @cached_property
    def count_cap(self):
        return getattr(settings, "TABLE_COUNT_CAP", 10_000)

    @cached_property
    def count(self):
        """The number of rows, or COUNT_CAP + 1 when there are more than
        COUNT_CAP (one capped COUNT over a LIMITed subquery)."""
        queryset = self._queryset
        if queryset is not None:
            return count_up_to(queryset, self.count_cap)
        return min(len(self.object_list), self.count_cap + 1)

    @property
    def _queryset(self):
        """The rows' QuerySet: the object list itself, or the one under a
        django-tables2 table's rows (BoundRows -> TableQuerysetData)."""
        object_list = self.object_list
        for _ in range(3):
            if hasattr(object_list, "order_by") and hasattr(object_list, "exists"):
                return object_list
            object_list = getattr(object_list, "data", None)
        return None

    @property
    def count_is_capped(self):
        return self.count > self.count_cap

    @property
    def count_display(self):
        """What the page says: "1,234", or "10,000+" past the cap."""
        return capped_count_display(self.count, self.count_cap)

    @property
    def num_pages_display(self):
        pages = number_format(self.num_pages, force_grouping=True)
        return f"{pages}+" if self.count_is_capped else pages

    def validate_number(self, number):
        if not self.count_is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)
        if number <= self.num_pages:
            return super().validate_number(number)
        if number * self.per_page > MAX_ROW_OFFSET:
            raise EmptyPage("That page contains no results")
        # Past the counted rows: page() finds out whether the page has rows.
        return number

    def last_page_number(self):
        """The number of the table's last page. Past the capped count it is
        not known, so the rows are counted whole, once: only a reader who
        asked for a page past the end pays for it, and from then on the
        paginator holds the exact count ("20,075 transfers"), so the page it
        says it shows is the page it shows (issue 28: "page 3920" said
        "showing the last page, 401")."""
        if self.count_is_capped:
            queryset = self._queryset
            exact = queryset.order_by().count() if queryset is not None else len(self.object_list)
            self.__dict__["count"] = exact
            self.__dict__["count_cap"] = max(exact, self.count_cap)
            self.__dict__.pop("num_pages", None)
        return self.num_pages

    def page(self, number):
        if not self.count_is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # Fetched once here: the page's length, has_next() and the table all
        # read this list rather than running the OFFSET query again.
        rows = self._rows(bottom, bottom + self.per_page)
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return self._get_page(rows, number, self)

    def _rows(self, bottom, top):
        """The page's rows, in order: keys first for a deep page (see
        KEYS_FIRST_OFFSET), else one OFFSET query."""
        queryset = self._queryset
        if queryset is None or bottom < self.keys_first_offset:
            return list(self.object_list[bottom:top])
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        records = queryset.in_bulk(keys)
        ordered = [records[key] for key in keys if key in records]
        if queryset is self.object_list:
            return ordered
        # A django-tables2 table's rows: the same records, bound to the table.
        return list(BoundRows(ordered, table=self.object_list.table))


class KeysFirstPaginator(CappedCountPaginator):
    """Every page past the capped count reads its rows' keys first, the
    first too: a table of quotes joins each quote's record of every kind,
    and sorting 255,750 such rows for page 1 ran past the statement timeout
    (make bench-record-lists), where sorting their keys takes a second."""

    keys_first_offset = 0
