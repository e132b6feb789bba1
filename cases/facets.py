"""Facets: how many rows each option of a choice filter would give, as data.

The shape is Datasette's (datasette/facets.py): a facet class counts one
filter's options and returns them as data (options, counts, whether it timed
out), and a runner counts every facet of a page under one time limit and the
cache. The filter set only filters (cases/filters.py); the templates render
the Facet objects.

Each facet is counted with one grouped query over the visible records
narrowed by every *other* active filter, as Datasette does; the options
offered are the values the visible records hold (plus the one selected), so
neither an option nor a count can reveal a draft.
"""

import hashlib
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connections
from django.db.models import Count, F, Max, Value
from django.forms.models import ModelChoiceField
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import response_cache
from .filters import ANY_LABEL
from .kinds import kind_of
from .querysets import sees_drafts
from .time_limit import QueryTimeLimit

SLOW_FACET_HELP = _("Counts took too long to compute and are not shown.")
# Facet counts are keyed by the data version, so these only bound memory:
# an edit makes the old counts unreachable at once.
FACET_CACHE_SECONDS = 600
# A facet that ran out of time is shown without counts this long before it
# is tried again, so a slow facet does not cost every request its time limit.
SLOW_FACET_RETRY_SECONDS = 60


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    # None when the facet's counts took too long (or for "Any").
    count: int | None
    selected: bool


@dataclass(frozen=True)
class Facet:
    """One facet as data: what the templates list beside a choice filter."""

    name: str
    label: str
    options: list
    timed_out: bool

    @property
    def help_text(self):
        return SLOW_FACET_HELP if self.timed_out else ""


def display_value(field, value, raw, value_label=str):
    """A filter's cleaned value as the reader reads it (a record's name, a
    choice's label, a date, a held value as `value_label` words it), for the
    active filters and a chosen option."""
    if isinstance(field, ModelChoiceField):
        return field.label_from_instance(value)
    if isinstance(field, forms.ChoiceField):
        return dict(field.choices).get(value, raw)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value_label(str(value))


class ChoiceFacet:
    """One choice filter of a filter set, counted: `counted_options()` runs
    the query, `result()` turns its options (or None, when they took too
    long) into a Facet."""

    def __init__(self, filterset, name):
        self.filterset = filterset
        self.name = name
        self.filter = filterset.filters[name]
        self.form_field = filterset.form.fields[name]

    def other_values(self):
        """The other active filters, as the reader wrote them: the counts depend on them."""
        filterset = self.filterset
        return sorted(
            (other, str(filterset.data.get(other)))
            for other in filterset.active_values()
            if other != self.name
        )

    def counted_options(self):
        """[(option value, label, number of matching rows)] for the values the
        visible records hold, in the order the options are listed."""
        group_by, by_key, distinct = self._grouping()
        rows = self._grouped_rows(group_by, distinct)
        return self.labelled((row[group_by], row["matching"]) for row in rows)

    def labelled(self, rows):
        """counted_options() from (value, count) rows, grouped by _grouping()."""
        counts = {}
        for value, matching in rows:
            # Records with no value (e.g. no destination) have no option to count.
            if value not in (None, ""):
                counts[value] = max(counts.get(value, 0), matching)
        return self._labelled(counts, self._grouping()[1])

    def _grouping(self):
        """(what the facet groups by, whether that is a foreign key's own
        column, whether a record can fall in a group more than once)."""
        path = self._path()
        field_name = self.filter.field_name
        field = self.filterset.queryset.model._meta.get_field(field_name)
        # A foreign key is grouped by its own column, with no join, and its
        # ids named by slug afterwards: at 100,000 rows that is several times
        # faster than grouping by the joined slug. Each record is counted
        # once per group anyway, except through a many-to-many relation.
        by_key = field.many_to_one and path != field_name
        group_by = field_name if by_key else path
        distinct = field.many_to_many or field.one_to_many
        return group_by, by_key, distinct

    def counts_with_others(self):
        """Whether this facet can be counted in one query with the filter
        set's other `facets_counted_together`: it is one of them, groups by
        a column of the table itself, and no other active filter narrows it
        (the table as it first opens), so they all count the same rows."""
        if self.name not in self.filterset.facets_counted_together:
            return False
        _group_by, _by_key, distinct = self._grouping()
        return not distinct and not self.other_values()

    def _path(self):
        """The field path the facet groups by: a related record's slug, or the value itself."""
        to_field_name = self.filter.extra.get("to_field_name")
        field_name = self.filter.field_name
        return f"{field_name}__{to_field_name}" if to_field_name else field_name

    def _grouped_rows(self, group_by, distinct):
        narrowed = self.filterset.queryset_filtered_except(self.name)
        visible = self.filterset.queryset.order_by().prefetch_related(None).values(group_by)
        if narrowed is None:
            return visible.annotate(matching=Count("pk", distinct=distinct)).order_by()
        # One statement: the rows the other filters leave, counted, and every
        # value the visible records hold, counted 0, so an option the other
        # filters empty still shows "(0)". (Counting the whole table with
        # FILTER (WHERE id IN narrowed) probes a hash of the narrowed ids
        # once per row: 4x slower at 100,000 rows.)
        matching = (
            narrowed.order_by()
            .prefetch_related(None)
            .values(group_by)
            # The other filters may join a many-to-many relation.
            .annotate(matching=Count("pk", distinct=True))
            .order_by()
        )
        held = visible.annotate(matching=Max(Value(0))).order_by()
        return matching.union(held, all=True)

    def _labelled(self, counts, by_key):
        """[(value, label, count)] for the counted values, in the order the
        form lists them; related records are named in one query, as far as
        the reader may see them."""
        form_field = self.form_field
        if isinstance(form_field, ModelChoiceField):
            key_field = form_field.to_field_name or "pk"
            lookup = "pk__in" if by_key else f"{key_field}__in"
            records = form_field.queryset.filter(**{lookup: list(counts)})
            return [
                (
                    str(getattr(record, key_field)),
                    form_field.label_from_instance(record),
                    counts[record.pk if by_key else getattr(record, key_field)],
                )
                for record in records
            ]
        counts = {str(value): count for value, count in counts.items()}
        if isinstance(form_field, forms.ChoiceField):
            return [
                (str(value), label, counts[str(value)])
                for value, label in form_field.choices
                if str(value) in counts
            ]
        label = getattr(self.filter, "value_label", str)
        labelled = [(value, label(value), counts[value]) for value in counts]
        return sorted(labelled, key=lambda option: option[1].casefold())

    def uncounted_options(self):
        """The options of a facet whose counts took too long: every choice
        the reader may pick, without numbers."""
        form_field = self.form_field
        if isinstance(form_field, ModelChoiceField):
            key_field = form_field.to_field_name or "pk"
            return [
                (str(getattr(record, key_field)), form_field.label_from_instance(record), None)
                for record in form_field.queryset
            ]
        if isinstance(form_field, forms.ChoiceField):
            return [(str(value), label, None) for value, label in form_field.choices if value != ""]
        return []

    def result(self, counted):
        """The Facet: `counted` options with their counts, or None when the
        counts took too long (every option is then listed without one)."""
        filterset = self.filterset
        selected = str(filterset.data.get(self.name, "")) if filterset.is_bound else ""
        timed_out = counted is None
        options = self.uncounted_options() if timed_out else counted
        active = filterset.active_values()
        if selected and self.name in active and selected not in {row[0] for row in options}:
            # Chosen, but held by no visible record: still shown, counted 0.
            label = display_value(
                self.form_field,
                active[self.name],
                selected,
                getattr(self.filter, "value_label", str),
            )
            options = [*options, (selected, label, None if timed_out else 0)]
        return Facet(
            name=self.name,
            label=self.form_field.label,
            timed_out=timed_out,
            options=[FacetOption(value="", label=ANY_LABEL, count=None, selected=not selected)]
            + [
                FacetOption(value=value, label=label, count=count, selected=value == selected)
                for value, label, count in options
            ],
        )


def groups_by_sets(using):
    """Whether the database groups one query's rows several ways at once
    (GROUPING SETS): PostgreSQL does, SQLite does not."""
    return connections[using].vendor == "postgresql"


def counted_together(facets):
    """{facet name: counted options} for facets of one filter set that
    counts_with_others(): one statement, the visible rows grouped by each
    facet's column (GROUPING SETS), which one index covers (for transfers,
    migration 0025), rather than a scan of an index per facet (30 ms against
    45 ms for the transfers' three at 100,000 rows)."""
    queryset = facets[0].filterset.queryset
    using = queryset.db
    quote = connections[using].ops.quote_name
    aliases = {f"facet_{position}": facet for position, facet in enumerate(facets)}
    rows = (
        queryset.order_by()
        .prefetch_related(None)
        .values(**{alias: F(facet._grouping()[0]) for alias, facet in aliases.items()})
    )
    rows_sql, params = rows.query.get_compiler(using=using).as_sql()
    columns = [quote(alias) for alias in aliases]
    sets = ", ".join(f"({column})" for column in columns)
    sql = (
        f"SELECT {', '.join(columns)}, COUNT(*) FROM ({rows_sql}) AS facet_rows "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        grouped = cursor.fetchall()
    # A row of one set holds a value in that set's column alone, NULL in the
    # others; a facet leaves out the rows with no value, as counted_options().
    return {
        facet.name: facet.labelled((row[position], row[-1]) for row in grouped)
        for position, facet in enumerate(aliases.values())
    }


class FacetRunner:
    """Counts every facet of a filter set (its `facet_names`) once per
    request: from the cache when it can, otherwise under one time limit
    (FACET_TIME_LIMIT_MS, cases/time_limit.py) set once for all of them; a
    facet cut short by the limit is listed without counts."""

    facet_class = ChoiceFacet

    def __init__(self, filterset):
        self.filterset = filterset
        self.request = getattr(filterset, "request", None)

    def facets(self):
        """[Facet], in the order of `facet_names`; counted once per runner."""
        if not hasattr(self, "_facets"):
            facets = [self.facet_class(self.filterset, name) for name in self.filterset.facet_names]
            counted = self._counted(facets)
            self._facets = [facet.result(counted[facet.name]) for facet in facets]
        return self._facets

    def _counted(self, facets):
        """{name: counted options, or None when they took too long}."""
        keys = {facet.name: self.cache_key(facet) for facet in facets}
        cached = cache.get_many([key for key in keys.values() if key])
        to_count = [facet for facet in facets if keys[facet.name] not in cached]
        counted = {}
        if to_count:
            counted = self._count_in_time(to_count)
            self._store({keys[name]: options for name, options in counted.items() if keys[name]})
        counted.update({name: cached[key] for name, key in keys.items() if key in cached})
        return counted

    @staticmethod
    def _store(fresh):
        cache.set_many(
            {key: options for key, options in fresh.items() if options is not None},
            FACET_CACHE_SECONDS,
        )
        # A facet that took too long is not counted again for a while.
        cache.set_many(
            {key: options for key, options in fresh.items() if options is None},
            SLOW_FACET_RETRY_SECONDS,
        )

    def _count_in_time(self, facets):
        counted = {}
        limit = getattr(settings, "FACET_TIME_LIMIT_MS", 200)
        together = [facet for facet in facets if facet.counts_with_others()]
        if len(together) < 2 or not groups_by_sets(self.filterset.queryset.db):
            together = []
        with QueryTimeLimit(self.filterset.queryset.db, limit) as time_limit:
            if together:
                try:
                    with time_limit.attempt():
                        counted.update(counted_together(together))
                except OperationalError:
                    # Cut short by the time limit: each shown without counts.
                    counted.update(dict.fromkeys(facet.name for facet in together))
            for facet in facets:
                if facet in together:
                    continue
                try:
                    with time_limit.attempt():
                        counted[facet.name] = facet.counted_options()
                except OperationalError:
                    # Cut short by the time limit: shown without counts.
                    counted[facet.name] = None
        return counted

    def cache_key(self, facet):
        """Facet counts depend on the other active filters, the data and which
        records the reader sees: cached under those, never across an edit."""
        request = self.request
        versions = response_cache.versions_for(request) if request is not None else None
        if versions is None:
            return None
        model = self.filterset.queryset.model
        version = versions.of(response_cache.tables_read_by(kind_of(model), shows_one_record=False))
        sees = "drafts" if sees_drafts(getattr(request, "user", None)) else "public"
        others = repr(facet.other_values()).encode()
        digest = hashlib.md5(others, usedforsecurity=False).hexdigest()
        # The options' labels are in the reader's language.
        language = get_language() or ""
        return f"facet:{model._meta.label_lower}:{facet.name}:{sees}:{language}:{version.token}:{digest}"
