"""Reusable queries, one chainable QuerySet per kind of record.

Visibility is decided here and nowhere else: every page, export, search and
brief asks `visible_to(user)`, so a draft can only leak through one bug.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps as django_apps
from django.conf import settings
from django.db import connections, models, router
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.base import ModelState
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.db.models.query import ModelIterable
from django.utils.translation import gettext, gettext_lazy

from . import roles
from .history import (
    EMPTY,
    INTERNAL_FIELDS,
    NAMES_RECORDS,
    ChangeKind,
    field_label,
    in_reader_words,
    label_in_reader_words,
    related_label,
    value_in_words,
    value_language,
)

# Search lives in search.py; its constants stay importable from here.
from .search import (  # noqa: F401
    SEARCH_MAX_WORDS,
    SEARCH_TEXT_MAX_LENGTH,
    Search,
    clean_search_text,
    with_search_aliases,
)


def prefetch_visible(model, name, queryset, limit=None):
    """Prefetch relation `name` of `model`, keeping only the records in
    `queryset` (which must already be visible_to the reader); with `limit`,
    at most that many of a list per record (one query still: Django numbers
    each record's rows with a window function).

    A list goes to `visible_<name>`. A foreign key's record goes into the key's
    own cache, so `record.<name>` reads None when the reader may not see it:
    a to_attr there would be fetched a second time, one query per row, when
    nested under a reverse foreign key (Django's reverse manager evaluates
    the inner prefetches, then they are run again through the outer one)."""
    if model._meta.get_field(name).many_to_one:
        return Prefetch(name, queryset=queryset)
    if limit is not None:
        queryset = queryset[:limit]
    return Prefetch(name, queryset=queryset, to_attr=f"visible_{name}")


# The alias under which join_visible() joins a foreign key's visible record.
JOINED_PREFIX = "visible_"


class JoinedVisibleIterable(ModelIterable):
    """Records whose foreign keys' records were joined by join_visible(): each
    goes into its key's own cache, None where the reader may not see it, just
    as prefetch_visible() leaves it, so every reader of that cache (tables,
    presentation, exports) works unchanged."""

    def __iter__(self):
        joined = self.queryset.query.select_related
        aliases = [
            alias
            for alias in (joined if isinstance(joined, dict) else ())
            if alias.startswith(JOINED_PREFIX)
        ]
        for record in super().__iter__():
            for alias in aliases:
                field = record._meta.get_field(alias.removeprefix(JOINED_PREFIX))
                field.set_cached_value(record, record.__dict__.pop(alias, None))
            yield record


def join_visible(queryset, name, condition):
    """Load foreign key `name`'s record in `queryset`'s own query, through a
    join that keeps only the records `condition` (the related model's
    visible_condition() through `name`) lets the reader see: one query fewer
    than prefetch_visible() per key, same result. The join is added to the
    rows' query only, not to a count or a facet."""
    alias = f"{JOINED_PREFIX}{name}"
    # Joined twice, the second annotation replaces the first: still one join.
    queryset = queryset.annotate(
        **{alias: FilteredRelation(name, condition=condition)}
    ).select_related(alias)
    queryset._iterable_class = JoinedVisibleIterable
    return queryset


def _loaded_attnames(queryset):
    """The columns a record of `queryset` holds: its model's fields but the
    ones deferred (defer()) or left out (only())."""
    names, deferred = queryset.query.deferred_loading
    fields = queryset.model._meta.concrete_fields
    if deferred:
        return [field.attname for field in fields if field.name not in names]
    return [field.attname for field in fields if field.name in names or field.primary_key]


def _lean_record(model, db, names, values):
    record = model.__new__(model)
    record.__dict__.update(zip(names, values, strict=True))
    record._state = ModelState()
    record._state.adding = False
    record._state.db = db
    return record


def _lean_rows(queryset, chunk_size=None):
    """The records of `queryset` without its prefetches, built lean where
    they can be (see lean_chunks); read `chunk_size` rows at a time (a
    server-side cursor on PostgreSQL) where given, else all at once."""
    queryset = queryset.prefetch_related(None)
    if queryset.query.select_related:
        return iter(queryset.iterator(chunk_size=chunk_size) if chunk_size else queryset)
    model, db = queryset.model, queryset.db
    names = [*_loaded_attnames(queryset), *queryset.query.annotation_select]
    values = queryset.values_list(*names)
    if chunk_size:
        values = values.iterator(chunk_size=chunk_size)
    return (_lean_record(model, db, names, row) for row in values)


def lean_chunks(queryset, chunk_size):
    """The records of `queryset`, in its order, `chunk_size` at a time, each
    chunk with the queryset's prefetches. Each record is built from its row's
    values, not through Model.__init__, which sets every field through its
    descriptor: an export's 1,000 rows and their quotes spent most of their
    time there (issue 25). The records are the same as iterating gives (their
    methods and labels work, a deferred field loads when read); no signal is
    sent for them (no receiver listens to post_init here). Records joined to
    their rows (select_related) cannot be built so: such a queryset is
    iterated as usual."""
    chunk = []
    for record in _lean_rows(queryset, chunk_size):
        chunk.append(record)
        if len(chunk) == chunk_size:
            prefetch_related_objects(chunk, *queryset._prefetch_related_lookups)
            yield chunk
            chunk = []
    if chunk:
        prefetch_related_objects(chunk, *queryset._prefetch_related_lookups)
        yield chunk


def lean_in_bulk(queryset):
    """{pk: record} of the records of `queryset` (a bounded look-up by key),
    built as lean_chunks() builds them, in one query and its prefetches."""
    # In no order: none is needed to look records up by key.
    records = list(_lean_rows(queryset.order_by()))
    prefetch_related_objects(records, *queryset._prefetch_related_lookups)
    return {record.pk: record for record in records}


def shown_relation(record, name):
    """What prefetch_visible() fetched (or join_visible() joined) for
    `record`: never a query, so never a record the reader may not see."""
    field = record._meta.get_field(name)
    if field.many_to_one:
        # Read the cache, not the attribute: a required key whose record is
        # hidden holds None, which the attribute would raise on.
        return field.get_cached_value(record, default=None)
    return getattr(record, f"visible_{name}", [])


def bound_lists(records, names, user):
    """Cut each list relation of `records` (fetched with for_detail(), which
    loads one more than RECORD_LIST_LIMIT) to the limit, and count what goes
    on: `list_total(record, name)` then says how many the whole list holds,
    up to TABLE_COUNT_CAP + 1. One capped count per list that goes on; none
    for the others."""
    limit = settings.RECORD_LIST_LIMIT
    if not records:
        return
    model = type(records[0])
    for name in names:
        field = model._meta.get_field(name)
        if field.many_to_one:
            continue
        attribute = f"visible_{name}"
        longer = [
            record for record in records if len(getattr(record, attribute, None) or ()) > limit
        ]
        for record in records:
            record.__dict__.setdefault("list_totals", {})
            shown = getattr(record, attribute, None)
            if shown is not None:
                record.list_totals.setdefault(name, len(shown))
        if not longer:
            continue
        visible = model.objects.related_visible_to(name, user).order_by()
        back = field.remote_field.name
        for record in longer:
            setattr(record, attribute, getattr(record, attribute)[:limit])
            if name not in getattr(record, "list_counted", ()):
                # Counted as a table counts its rows, up to TABLE_COUNT_CAP:
                # counting all 255,750 quotes of one source took 2 s, and
                # grouping a chunk's counts in one query as long.
                record.list_totals[name] = visible.filter(**{back: record.pk})[
                    : settings.TABLE_COUNT_CAP + 1
                ].count()


def load_lists(record, names, user):
    """One record's lists that for_detail(lists=False) left out: each read
    as far as `user` may see it, RECORD_LIST_LIMIT of it in a LIMIT query,
    and where it goes on, counted up to TABLE_COUNT_CAP (as a table counts
    its rows): a source quoted 255,750 times reads 100 of its quotes, and
    counts to 10,001. A list that holds no row at all (lists_holding_rows)
    is not read."""
    limit, cap = settings.RECORD_LIST_LIMIT, settings.TABLE_COUNT_CAP
    model = type(record)
    names = [
        name
        for name in names
        if not model._meta.get_field(name).many_to_one and not hasattr(record, f"visible_{name}")
    ]
    held = lists_holding_rows(record, names) if len(names) > 1 else set(names)
    record.__dict__.setdefault("list_totals", {})
    for name in names:
        attribute = f"visible_{name}"
        record.__dict__.setdefault("list_counted", set()).add(name)
        if name not in held:
            record.list_totals[name] = 0
            setattr(record, attribute, [])
            continue
        # Through the key itself (a join, or the list's own column), not a
        # subquery of the relation: half the SQL for Django to compile.
        back = model._meta.get_field(name).remote_field.name
        related = model.objects.related_visible_to(name, user).filter(**{back: record.pk})
        rows = list(related[: limit + 1])
        if len(rows) > limit:
            record.list_totals[name] = related.order_by()[: cap + 1].count()
            rows = rows[:limit]
        else:
            record.list_totals[name] = len(rows)
        setattr(record, attribute, rows)


def _link_column(model, name):
    """(table, column, the value it holds) by which the rows of list
    relation `name` name a record of `model`: the link table of a
    many-to-many, the list's own key of a reverse foreign key."""
    field = model._meta.get_field(name)
    if field.many_to_many and field.auto_created:
        return field.through._meta.db_table, field.field.m2m_reverse_name(), "pk"
    if field.many_to_many:
        return field.remote_field.through._meta.db_table, field.m2m_column_name(), "pk"
    return field.related_model._meta.db_table, field.field.column, field.field.target_field.attname


def lists_holding_rows(record, names):
    """Those of `names` (list relations of `record`) that hold any row at
    all, whoever may see it: one query of their link tables alone, by key,
    so that a record page reads no list that has nothing to show. Written
    as SQL from the models' metadata: the ORM took a third of a
    millisecond to compile each EXISTS (issue 25), more than the query of
    the list it spares."""
    model = type(record)
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    checks, params = [], []
    for name in names:
        table, column, key = _link_column(model, name)
        checks.append(f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s)")
        params.append(getattr(record, key))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(checks)}", params)
        found = cursor.fetchone()
    return {name for name, rows in zip(names, found, strict=True) if rows}


# How many records' rows one query of load_lists_of() reads by key.
KEYS_PER_QUERY = 1000


def load_lists_of(records, names, user):
    """The lists `names` of many `records` (a chunk of an export), each
    bounded as for_detail() bounds a prefetch, one more than
    RECORD_LIST_LIMIT, but in two steps: first which rows, numbered per
    record by a window function over their keys and sort columns alone,
    then those rows whole. Django's sliced prefetch numbers the whole rows
    (every joined record's columns): for a source quoted 255,750 times that
    one query ran past the statement timeout. Then bound_lists()."""
    if not records:
        return
    limit = settings.RECORD_LIST_LIMIT + 1
    model = type(records[0])
    by_pk = {record.pk: record for record in records}
    for name in names:
        field = model._meta.get_field(name)
        if field.many_to_one:
            continue
        back = field.remote_field.name
        visible = model.objects.related_in_export(name, user)
        ordering = [
            OrderBy(F(order.lstrip("-")), descending=order.startswith("-"))
            if isinstance(order, str)
            else order
            for order in (visible.query.order_by or visible.model._meta.ordering or ("pk",))
        ]
        numbered = (
            visible.filter(**{f"{back}__pk__in": list(by_pk)})
            .annotate(
                list_owner=F(back),
                list_row=Window(RowNumber(), partition_by=F(back), order_by=ordering),
            )
            .filter(list_row__lte=limit)
            .values_list("pk", "list_owner", "list_row")
        )
        entries = sorted(numbered, key=lambda entry: (entry[1], entry[2]))
        keys = list(dict.fromkeys(pk for pk, _owner, _row in entries))
        rows = {}
        for start in range(0, len(keys), KEYS_PER_QUERY):
            rows.update(lean_in_bulk(visible.filter(pk__in=keys[start : start + KEYS_PER_QUERY])))
        for record in records:
            setattr(record, f"visible_{name}", [])
        for pk, owner, _row in entries:
            if pk in rows and owner in by_pk:
                getattr(by_pk[owner], f"visible_{name}").append(rows[pk])
    bound_lists(records, names, user)


def load_keys_of(records, names, user):
    """The records the foreign keys `names` of `records` (a chunk of an
    export) name, as far as `user` may see them, each read once however many
    records name it, into the key's cache: None where the reader may not see
    it, as prefetch_visible() leaves it. (Django's own prefetch of a key
    wrote its list of keys as one OR per key on SQLite.)"""
    if not records:
        return
    model = type(records[0])
    for name in names:
        field = model._meta.get_field(name)
        keys = {getattr(record, field.attname) for record in records} - {None}
        visible = model.objects.related_in_export(name, user)
        found = lean_in_bulk(visible.filter(pk__in=keys)) if keys else {}
        for record in records:
            field.set_cached_value(record, found.get(getattr(record, field.attname)))


def list_total(record, name):
    """How many entries list `name` of `record` holds in all (bound_lists()),
    where it shows fewer; None where it shows them all."""
    total = getattr(record, "list_totals", {}).get(name)
    shown = len(getattr(record, f"visible_{name}", None) or ())
    return total if total is not None and total > shown else None


def visible_sort_key(path):
    """The name for_table() gives a related value a table sorts by, empty
    where the reader may not see the related record:
    "speaker__name" -> "speaker_name_if_visible" (see related_value_visible_to)."""
    return f"{path.replace('__', '_')}_if_visible"


def count_each(querysets):
    """Count several querysets (of different models) in one database query, a
    UNION of COUNTs; returns the counts in the order given."""
    counts = [
        queryset.order_by().values(position=Value(position)).annotate(total=Count("pk"))
        for position, queryset in enumerate(querysets)
    ]
    if not counts:
        return []
    rows = counts[0].union(*counts[1:], all=True)
    by_position = {row["position"]: row["total"] for row in rows}
    return [by_position.get(position, 0) for position in range(len(counts))]


class TypedNull(Cast):
    """NULL of a type, where a part of a UNION has no value: PostgreSQL types
    a UNION's column from its first parts, and an untyped NULL as text. A
    constant, so never grouped by (an aggregate grouped by anything gives
    no row at all for an empty table)."""

    def __init__(self, output_field):
        super().__init__(Value(None), output_field)

    def get_group_by_cols(self):
        return []


def counts_and_entries(querysets, entries):
    """([the count of each of `querysets`], when the newest of their records
    was last saved (None when there are none), {position in `entries`: [pks
    of its records]}) of several querysets of different models, each of
    `entries` possibly sliced, in one UNION query: the home page's sections
    in one query (issue 25). Each count and newest date is one scan of an
    index holding both (COUNT(*): no index of the newest holds the id)."""
    totals = [
        queryset.order_by()
        .values(part=Value(0), position=Value(position), key=TypedNull(models.BigIntegerField()))
        .annotate(total=Count("*"), latest=Max("updated_at"))
        for position, queryset in enumerate(querysets)
    ]
    none = {
        "total": TypedNull(models.BigIntegerField()),
        "latest": TypedNull(models.DateTimeField()),
    }
    listed = [
        (queryset if queryset.query.is_sliced else queryset.order_by()).values(
            part=Value(1), position=Value(position), key=F("pk"), **none
        )
        for position, queryset in enumerate(entries)
    ]
    parts = [*totals, *listed]
    if not parts:
        return [], None, {}
    counts, latest, found = [0] * len(querysets), None, defaultdict(list)
    for row in parts[0].union(*parts[1:], all=True):
        if row["part"] == 0:
            counts[row["position"]] = row["total"]
            if row["latest"] is not None and (latest is None or row["latest"] > latest):
                latest = row["latest"]
        else:
            found[row["position"]].append(row["key"])
    return counts, latest, dict(sorted(found.items()))


def uniform_values(queryset, fields_by_name):
    """{name: the one value} for each entry of `fields_by_name` ({name:
    (field, …)}) whose fields hold one value on every row of `queryset`,
    in one query. Rows already read (a table brief as it stood at an earlier
    time, cases/asof.py) are no query to aggregate: none is dropped then."""
    if not isinstance(queryset, models.QuerySet):
        return {}
    counts = {}
    for fields in fields_by_name.values():
        for name in fields:
            counts[f"{name}__distinct"] = Count(name, distinct=True)
            counts[f"{name}__empty"] = Count("pk") - Count(name)
            counts[f"{name}__any"] = Max(name)
    if not counts:
        return {}
    totals = queryset.order_by().aggregate(**counts)
    uniform = {}
    for name, fields in fields_by_name.items():
        if all(
            totals[f"{field}__distinct"] + (1 if totals[f"{field}__empty"] else 0) <= 1
            for field in fields
        ):
            uniform[name] = [totals[f"{field}__any"] for field in fields]
    return uniform


def timeline_entries(querysets, dated):
    """The dated (or undated) records of several kinds as one query in
    timeline order: rows of (kind position, pk), dated ones oldest first,
    undated ones by kind and slug. One query, so the timeline can be paged
    without loading every record of every kind."""
    rows = [
        queryset.filter(date__isnull=not dated)
        .order_by()
        .annotate(timeline_kind=Value(position))
        .values_list("timeline_kind", "pk", "date", "slug")
        for position, queryset in enumerate(querysets)
    ]
    entries = rows[0].union(*rows[1:], all=True)
    if dated:
        return entries.order_by("date", "timeline_kind", "slug")
    return entries.order_by("timeline_kind", "slug")


def records_for_entries(querysets, entries, user):
    """The records `entries` (from timeline_entries) name, in the same order,
    loaded with one query per kind."""
    wanted = defaultdict(list)
    for kind, pk, *_ in entries:
        wanted[kind].append(pk)
    loaded = {
        (kind, record.pk): record
        for kind, pks in wanted.items()
        for record in querysets[kind].for_listing(user).filter(pk__in=pks)
    }
    return [loaded[kind, pk] for kind, pk, *_ in entries if (kind, pk) in loaded]


def sees_drafts(user):
    """Whether `user` sees draft records: those with the permission (Editors,
    Admins, superusers) and, while JOURNALISTS_SEE_DRAFTS is on, Journalists.
    Being staff alone is not enough: staff is for reaching admin.

    Permissions are cached on the user object, so a page asks the database
    once however many querysets it builds."""
    if user is None or not user.is_active:
        return False
    if user.has_perm(roles.VIEW_DRAFT_RECORDS):
        return True
    if not settings.JOURNALISTS_SEE_DRAFTS:
        return False
    if not hasattr(user, "_is_journalist"):
        user._is_journalist = user.groups.filter(name=roles.JOURNALISTS).exists()
    return user._is_journalist


# The fields of a record an export never reads (without_unshown_fields()), and
# those its link to a record never reads (for_export()).
RECORD_UNSHOWN_FIELDS = ("internal_note", "created_at", "updated_at", "is_key_figure")
LINK_UNSHOWN_FIELDS = (*RECORD_UNSHOWN_FIELDS, "inferences", "inferences_es")


def _fields_of(model, names):
    """Those of `names` that are fields of `model`."""
    fields = {field.name for field in model._meta.concrete_fields}
    return [name for name in names if name in fields]


class PublishableQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        # Fixtures name records by slug, so loading the seed twice updates
        # the same rows instead of adding new ones.
        return self.get(slug=slug)

    def published(self):
        return self.filter(publication_status="published")

    def visible_to(self, user):
        """The records `user` may see: drafts only for those allowed them
        (see sees_drafts), published records for everyone else."""
        condition = self.visible_condition(user)
        return self.filter(condition) if condition else self.all()

    def visible_condition(self, user, through=None):
        """What visible_to() keeps, as a condition: on these records, or with
        `through` (the name of another model's foreign key to them) on the
        records that model's rows name, so that a join keeps only those
        (join_visible). A condition on the joined table's own column: a
        subquery of the visible records in the join cost the record page a
        tenth of its time in Django's SQL compiler (issue 25)."""
        if sees_drafts(user):
            return Q()
        return Q(
            **{f"{through}__publication_status" if through else "publication_status": "published"}
        )

    def newly_published(self):
        """Published records, each with `published_at`: when its history
        first shows it published (when it was added, for a record with no
        history), newest first. For the Atom feed of new records."""
        first_published = (
            self.model.history.filter(id=models.OuterRef("pk"), publication_status="published")
            .order_by("history_date")
            .values("history_date")[:1]
        )
        return (
            self.published()
            .annotate(published_at=Coalesce(models.Subquery(first_published), "created_at"))
            .order_by("-published_at", "slug")
        )

    def with_claim_attribution(self, user):
        """Load what a claim badge needs to say whose claim it is (see
        cases.presentation.claim_attribution): the record's claimant (its
        kind's claimant_field: who the source says makes the claim), as far
        as `user` may see them. Joined into the rows' own query where the
        key may be empty; a statement's speaker, which its listing loads
        already, is not loaded twice."""
        name = _CLAIMANT_FIELDS.get(self.model)
        if name is None or self._loads(name):
            return self
        return self.with_visible([name], user)

    def _loads(self, name):
        """Whether relation `name` is already joined or prefetched here."""
        joined = self.query.select_related
        if isinstance(joined, dict) and f"{JOINED_PREFIX}{name}" in joined:
            return True
        return any(
            (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup) == name
            for lookup in self._prefetch_related_lookups
        )

    # --- Search and detail pages ---------------------------------------------

    # The kind's own text fields, which search() looks in (migrations 0004,
    # 0005 and 0011 index them: change them together).
    search_fields = ()
    # The fields that name a record, which a search for a record linked to it
    # looks in ("CECOT" finds the group held at the facility CECOT).
    search_name_fields = ()
    # The relations whose records' names also find a record, each only as
    # far as the reader may see them.
    search_relations = ()
    # What a detail page shows besides the record itself, by relation name.
    detail_relations = ("citations",)

    def search(self, text, user):
        """Records matching every word of `text`, in their own text or in the
        name of a linked record that `user` may see: see cases/search.py.
        `text` may be a Search already made for this reader, so that several
        kinds and facets share its look-ups."""
        search = text if isinstance(text, Search) else Search(text, user)
        if not search:
            return self.none()
        return self.filter(search.condition(self))

    def for_listing(self, user):
        """What a link to each record needs: its claimant, for the badge
        (see StatementQuerySet)."""
        return self.with_claim_attribution(user)

    def for_detail(self, user, relations=None, lists=True):
        """The records with their citations and related records prefetched,
        only as far as `user` may see them, so a published page never links
        to a draft. Read them back with detail_relations_of(record).
        `relations` narrows the prefetch to some of detail_relations (an
        export needs only what its fields show). Without `lists`, only the
        foreign keys' records: one record's page reads its lists one by one
        (detail_relations_of), each a LIMIT query, cheaper for one record
        than the window function a prefetch of many records' lists takes."""
        names = [name for name in self.detail_relations if relations is None or name in relations]
        if not lists:
            names = [name for name in names if self.model._meta.get_field(name).many_to_one]
        # One more than a list shows, so bound_lists() knows which lists go on.
        return self.with_visible(names, user, limit=settings.RECORD_LIST_LIMIT + 1)

    def with_visible(self, names, user, limit=None):
        """Relations `names`, only as far as `user` may see them: a foreign
        key's record joined into the rows' own query (join_visible), a list
        prefetched (prefetch_visible), at most `limit` of it per record.
        Read back with shown_relation()."""
        queryset, lookups = self, []
        for name in names:
            visible = self.related_visible_to(name, user)
            field = self.model._meta.get_field(name)
            # Joined only where the join is an outer one: Django joins a
            # required key with an INNER JOIN, which would drop a row whose
            # record is hidden. Nor can a join carry the related records'
            # own prefetches.
            if field.many_to_one and field.null and not visible._prefetch_related_lookups:
                queryset = join_visible(queryset, name, self.joined_visible_condition(name, user))
            else:
                lookups.append(prefetch_visible(self.model, name, visible, limit))
        return queryset.prefetch_related(*lookups)

    def detail_relations_of(self, record, user=None, relations=None):
        """{relation name: related record (or None) or list} for a record
        fetched with for_detail() (`relations` as given to it); given the
        reader, each list is bounded and counted (bound_lists)."""
        names = [name for name in self.detail_relations if relations is None or name in relations]
        if user is not None:
            load_lists(record, names, user)
            bound_lists([record], names, user)
        return {name: shown_relation(record, name) for name in names}

    def related_visible_to(self, name, user):
        """The records of relation `name` that `user` may see, ready to list."""
        related_model = self.model._meta.get_field(name).related_model
        return related_model.objects.visible_to(user).for_listing(user)

    def joined_visible_condition(self, name, user):
        """related_visible_to() of foreign key `name`, as the condition of a
        join (join_visible): its model's visible_condition(). A kind whose
        related_visible_to() narrows a foreign key's records further must
        narrow this as well."""
        related = self.model._meta.get_field(name).related_model
        return related.objects.visible_condition(user, through=name)

    def related_in_export(self, name, user):
        """The records of relation `name` that `user` may see, as an export's
        row (cases/exports.py) names them: in the order a page lists them,
        with what a link's label needs (a statement's speaker, a quote's
        source), but not what only a page shows of them (their claimants'
        badges, a group's subgroups). At 1,000 rows a page's loads were half
        of an export's time (issue 25)."""
        related_model = self.model._meta.get_field(name).related_model
        return related_model.objects.visible_to(user).for_export(user)

    def for_export(self, user):
        """What a link to each record in an export needs: its label, which a
        record's own fields give (see StatementQuerySet). Not the fields an
        export never shows of a linked record: each datetime and JSON value
        read costs a conversion, thousands of them per export."""
        return self.defer(*_fields_of(self.model, LINK_UNSHOWN_FIELDS))

    def without_unshown_fields(self):
        """The rows without the fields an export never shows: their internal
        notes and timestamps. (An export reads the records its rows link to
        apart, load_keys_of, each for_export.)"""
        return self.defer(*_fields_of(self.model, RECORD_UNSHOWN_FIELDS))

    def with_quoted(self, user):
        """Each record with `quoted`: whether a quote `user` may see supports
        it (its page lists it), without loading the quotes (a key figure's
        "[source]" link: a prefetch of each kind's quotes cost the home page
        a query and a window function per kind, issue 25)."""
        back = self.model._meta.get_field("citations").remote_field.name
        quotes = self.related_visible_to("citations", user).filter(**{back: OuterRef("pk")})
        return self.annotate(quoted=Exists(quotes))

    def key_figures(self):
        """The records an editor has marked as key figures (home page, dossier)."""
        if not any(field.name == "is_key_figure" for field in self.model._meta.fields):
            return self.none()
        return self.filter(is_key_figure=True)

    def in_dossier(self, user):
        """The records of this kind the case dossier prints: all of them, but
        for kinds that narrow it (see ActorQuerySet)."""
        return self

    def related_value_visible_to(self, path, user):
        """A related record's field ("speaker__name") where `user` may see that
        record, and NULL where not: what a sort through a relation must use,
        or a row would be placed where a hidden name sorts (and the name
        recovered by asking for sorted pages). Visibility is the related
        model's own visible_to()."""
        relation, _, field = path.partition("__")
        related = self.model._meta.get_field(relation).related_model
        # A subquery, not a join: an alias's join stays in every query made
        # from the table's rows, sorted by it or not (the page count and
        # each facet count joined two tables they never read: issue 25).
        visible = related.objects.visible_to(user).filter(pk=OuterRef(relation))
        return Subquery(visible.order_by().values(field)[:1])

    def with_visible_sort_keys(self, user):
        """The table_sort_relations as aliases named by visible_sort_key():
        computed only when a sort uses them."""
        return self.alias(
            **{
                visible_sort_key(path): self.related_value_visible_to(path, user)
                for path in self.table_sort_relations
            }
        )

    # --- Tables ----------------------------------------------------------------

    # The relations a table row shows (see cases/tables.py).
    table_relations = ()
    # Related fields a table sorts by ("destination__name"); the table sorts by
    # visible_sort_key(path), never by the path itself.
    table_sort_relations = ()
    # A full order ending in the unique slug, so table pages never overlap or skip.
    table_ordering = ("slug",)

    def for_table(self, user):
        """Rows for a record table: the related records each row shows, as far
        as `user` may see them (as for_detail() loads them), in a stable order,
        with the related values it may sort by (with_visible_sort_keys)."""
        return (
            self.with_visible_sort_keys(user)
            .with_visible(self.table_relations, user)
            # A badge says whose claim it is in a table as on the record's page.
            .with_claim_attribution(user)
            .order_by(*self.table_ordering)
        )


class FormerAddressQuerySet(models.QuerySet):
    def get_by_natural_key(self, kind, slug):
        return self.get(kind=kind, slug=slug)


class SourceQuerySet(PublishableQuerySet):
    search_fields = ("title", "publisher", "description", "text")
    search_name_fields = ("title",)
    # Here "citations" are the quotes taken from this source, and
    # "attributions" the quotes another source attributes to it.
    detail_relations = ("citations", "attributions")
    table_ordering = ("title", "slug")

    def related_visible_to(self, name, user):
        citations = super().related_visible_to(name, user)
        return citations.supporting_records_visible_to(user)

    def related_in_export(self, name, user):
        # A quote of a record the reader may not see is not exported either;
        # which record each supports is a page's column, not an export's.
        citations = super().related_in_export(name, user)
        return citations.supporting_visible_records(user)


class ActorQuerySet(PublishableQuerySet):
    search_fields = ("name", "role", "aliases", "country", "description")
    search_name_fields = ("name", "aliases")
    search_relations = ("part_of",)
    detail_relations = (
        "citations",
        "part_of",
        "parts",
        "designations",
        "agreement_roles",
        "transfers_sent",
        "transfers_received",
        "events",
        "statements",
        "alleged_member_groups",
        "allegations_made",
    )
    table_ordering = ("name", "slug")

    def in_dossier(self, user):
        """The people and organisations involved, for the PDF dossier: those
        who act or speak in a record `user` may see (parties to an agreement,
        senders and receivers of a transfer, participants in an event,
        speakers), and those a detainee group is alleged to belong to or
        accused by. Not every actor a record merely mentions."""
        field = self.model._meta.get_field

        def visible(relation):
            return field(relation).related_model.objects.visible_to(user)

        return self.filter(
            Q(pk__in=visible("agreement_roles").values("actor"))
            | Q(pk__in=visible("statements").values("speaker"))
            | Q(pk__in=visible("events").values("participants"))
            | Q(pk__in=visible("transfers_sent").values("sent_by"))
            | Q(pk__in=visible("transfers_received").values("received_by"))
            | Q(pk__in=visible("alleged_member_groups").values("alleged_affiliations"))
            | Q(pk__in=visible("allegations_made").values("alleged_by"))
        ).order_by("kind", "name")


class FacilityQuerySet(PublishableQuerySet):
    search_fields = ("name", "short_name", "aliases", "location", "country", "description")
    search_name_fields = ("name", "short_name", "aliases")
    detail_relations = ("citations", "transfers", "detainee_groups", "events", "statements")
    table_ordering = ("name", "slug")


class AgreementQuerySet(PublishableQuerySet):
    search_fields = ("title", "summary", "financial_terms")
    search_name_fields = ("title",)
    search_relations = ("parties",)
    detail_relations = (
        "citations",
        "party_roles",
        "transfers",
        "events",
        "statements",
        "claimed_by",
    )
    table_relations = ("parties",)
    table_ordering = ("title", "slug")


class TransferQuerySet(PublishableQuerySet):
    search_fields = ("title", "summary", "count_stated", "date_stated", "to_country")
    search_name_fields = ("title",)
    search_relations = ("destination", "agreement", "sent_by", "received_by", "groups")
    detail_relations = (
        "citations",
        "destination",
        "agreement",
        "sent_by",
        "received_by",
        "groups",
        "statements",
        "figures",
        "claimed_by",
    )
    # "figures": the sources' figures for the count, shown side by side when they disagree.
    table_relations = ("destination", "agreement", "figures")
    table_sort_relations = ("destination__name", "agreement__title")
    # Newest first; undated transfers last, on SQLite and PostgreSQL alike.
    table_ordering = (F("date").desc(nulls_last=True), "title", "slug")

    def related_visible_to(self, name, user):
        related = super().related_visible_to(name, user)
        # A transfer page shows the groups it moved as a tree: the six within the 17.
        return related.with_subgroups(user) if name == "groups" else related


class DetaineeGroupQuerySet(PublishableQuerySet):
    search_fields = ("name", "size_stated", "accusation", "nationality")
    search_name_fields = ("name",)
    search_relations = ("facility", "alleged_affiliations", "alleged_by", "parent")
    detail_relations = (
        "citations",
        "parent",
        "subgroups",
        "alleged_affiliations",
        "alleged_by",
        "facility",
        "transfers",
        "figures",
    )
    table_relations = ("alleged_affiliations", "facility", "figures")
    table_sort_relations = ("facility__name",)
    table_ordering = ("name", "slug")

    def with_subgroups(self, user):
        return self.prefetch_related(
            prefetch_visible(self.model, "subgroups", self.model.objects.visible_to(user))
        )


class EventQuerySet(PublishableQuerySet):
    search_fields = ("title", "summary", "location", "date_stated")
    search_name_fields = ("title",)
    search_relations = ("facility", "participants", "agreements")
    detail_relations = (
        "citations",
        "facility",
        "participants",
        "agreements",
        "statements",
        "claimed_by",
    )
    table_relations = ("facility", "participants")
    table_sort_relations = ("facility__name",)
    table_ordering = (F("date").desc(nulls_last=True), "title", "slug")

    def latest_first(self):
        """Newest dated events first, then undated ones, newest added first."""
        return self.order_by(F("date").desc(nulls_last=True), "-created_at", "title")


class StatementQuerySet(PublishableQuerySet):
    search_fields = ("text", "medium", "date_stated")
    search_relations = ("speaker", "facility", "event", "transfers", "agreements")
    detail_relations = ("citations", "speaker", "event", "facility", "transfers", "agreements")
    table_relations = ("speaker", "event", "facility", "transfers", "agreements")
    table_sort_relations = ("speaker__name",)
    # Newest first, then by speaker as far as the reader may see them.
    table_ordering = (
        F("date").desc(nulls_last=True),
        F(visible_sort_key("speaker__name")).asc(nulls_last=True),
        "slug",
    )

    def for_export(self, user):
        # Labelled with its speaker, in the table's order, as in a listing.
        return self.for_listing(user)

    def for_listing(self, user):
        # A statement is labelled with its speaker's name, so only a visible
        # speaker is loaded (see prefetch_visible); and lists of statements
        # (on a record's page, in search) are in the table's order, which
        # sorts by a speaker's name only where the reader may see it.
        actors = self.model._meta.get_field("speaker").related_model.objects
        return (
            self.with_visible_sort_keys(user)
            .prefetch_related(prefetch_visible(self.model, "speaker", actors.visible_to(user)))
            .order_by(*self.table_ordering)
        )


class CitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, key):
        return self.get(key=key)

    def _visible_model(self, field_name, user):
        return self.model._meta.get_field(field_name).related_model.objects.visible_to(user)

    def visible_to(self, user):
        """Quotes from sources `user` may see (a draft source's words are not public yet)."""
        return self.filter(source__in=self._visible_model("source", user))

    def supporting_visible_records(self, user):
        """Quotes supporting records `user` may see."""
        targets = self.model.TARGET_FIELDS
        visible = Q(
            *[Q(**{f"{name}__in": self._visible_model(name, user)}) for name in targets],
            _connector=Q.OR,
        )
        return self.filter(visible)

    def supporting_records_visible_to(self, user):
        """Quotes supporting records `user` may see, with those records loaded."""
        # Statements are labelled with their speaker (see StatementQuerySet.for_listing).
        statement_speakers = Prefetch(
            "statement__speaker", queryset=self._visible_model("actor", user)
        )
        return (
            self.supporting_visible_records(user)
            .select_related(*self.model.TARGET_FIELDS)
            .prefetch_related(statement_speakers)
        )

    def for_listing(self, user):
        # The source's full text is not needed to cite it.
        return (
            self.select_related("source")
            .defer("source__text")
            .prefetch_related(
                prefetch_visible(
                    self.model,
                    "attributed_to",
                    self._visible_model("attributed_to", user).defer("text"),
                )
            )
            .order_by("source__title", "paragraph", "id")
        )

    def for_export(self, user):
        # Of the source, an export row shows its title, publisher and
        # address: each source read once per chunk of rows (a prefetch), not
        # joined into the row of each of its quotes.
        unshown = ("text", "internal_note", "created_at", "updated_at", "description")
        sources = self._visible_model("source", user).defer(*unshown)
        return (
            self.for_listing(user)
            .select_related(None)
            .prefetch_related(Prefetch("source", queryset=sources))
            # Nor the quote's own key, note and timestamps.
            .defer("key", "note", "created_at", "updated_at")
        )


class ReportedFigureQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Figures from sources `user` may see: a draft source's figure is not public yet."""
        citations = self.model._meta.get_field("citation").related_model.objects
        # Each figure's quote looked up, not every visible quote listed: SQLite
        # built that list (255,823 quotes at 100,000 transfers) for each chunk
        # of an export, 80 ms of CPU, however few figures there were to find.
        return self.filter(Exists(citations.visible_to(user).filter(pk=OuterRef("citation"))))

    def for_listing(self, user):
        # The source's full text is not needed to name it.
        return self.select_related("citation__source").defer("citation__source__text")

    def for_export(self, user):
        return self.for_listing(user)


class AgreementPartyQuerySet(models.QuerySet):
    def get_by_natural_key(self, agreement_slug, actor_slug, role):
        return self.get(agreement__slug=agreement_slug, actor__slug=actor_slug, role=role)

    def visible_to(self, user):
        """A party's role is shown only where both the agreement and the actor are."""
        field = self.model._meta.get_field
        return self.filter(
            agreement__in=field("agreement").related_model.objects.visible_to(user),
            actor__in=field("actor").related_model.objects.visible_to(user),
        )

    def for_listing(self, user):
        return self.select_related("agreement", "actor")

    def for_export(self, user):
        return self.for_listing(user)


class DesignationQuerySet(models.QuerySet):
    def get_by_natural_key(self, actor_slug, label):
        return self.get(actor__slug=actor_slug, label=label)

    def _actors_visible_to(self, user):
        return self.model._meta.get_field("actor").related_model.objects.visible_to(user)

    def visible_to(self, user):
        return self.filter(actor__in=self._actors_visible_to(user))

    def for_listing(self, user):
        # Who made the designation is named only if their record is visible.
        return self.prefetch_related(
            prefetch_visible(self.model, "designated_by", self._actors_visible_to(user))
        )

    def for_export(self, user):
        return self.for_listing(user)


# --- Corrections log ----------------------------------------------------------
# A correction is a change to a record while it was published, as its edit
# history (django-simple-history) keeps it. Whether a history row is one is
# decided once, when it is written (cases.history.classify_change), so the
# log is an indexed filter that can be counted and paginated however long the
# history grows.

# What the log says changed when it knows no more: history written before
# admin kept linked records and citations in words.
UNTRACKED_CHANGE = gettext_lazy("linked records or citations")

# {a kind's name: its model}. A row of the log names its record's kind by the
# kind's name (a UNION of several kinds' history tables can carry no class);
# this module sits below the registry of kinds, so the registry hands each
# kind to register_kind(), as it does to cases/provenance.py.
_MODELS_BY_KIND_NAME = {}


# {model: its kind's claimant_field}, for the claim badges' loading.
_CLAIMANT_FIELDS = {}


def register_kind(kind):
    """Let the corrections log find the model of the records of `kind`, and
    the claim badges its claimant."""
    _MODELS_BY_KIND_NAME[kind.name] = kind.model
    if kind.claimant_field:
        _CLAIMANT_FIELDS[kind.model] = kind.claimant_field


def corrections_to(records, withdrawals=False):
    """The history rows of `records` that are public corrections, one dict per
    correction (record_kind, record_id, correction_id, previous_history_id,
    corrected_at, reason, change_kind, withdrawn), ready to UNION with other
    kinds'. With `withdrawals`, also every public change that took a record
    of this kind off the tracker (set it back to draft), whoever may see the
    record now: the log says a record was withdrawn, by its last published
    title, and why."""
    model = records.model
    rows = model.history.model.objects.filter(history_is_public_change=True)
    # classify_change() makes a change public only when the version before
    # it was published: one that leaves the record unpublished withdrew it.
    withdrawn = ~Q(publication_status="published")
    kept = Q(id__in=records.published().values("pk"))
    return (
        rows.filter(kept | withdrawn if withdrawals else kept)
        .values(
            # The kind's name (cases.kinds.Kind.name), for register_kind()'s map.
            record_kind=Value(model._meta.model_name, output_field=models.CharField()),
            record_id=F("id"),
            correction_id=F("history_id"),
            previous_history_id=F("history_previous_id"),
            corrected_at=F("history_date"),
            reason=Coalesce("history_change_reason", Value(""), output_field=models.TextField()),
            change_kind=F("history_change_kind"),
            withdrawn=Case(
                When(withdrawn, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )
        .order_by()
    )


def corrections_log(querysets, withdrawals=False):
    """Corrections to the records of `querysets` (of several kinds, each
    already visible_to the reader), newest first, as one query; with
    `withdrawals`, also the records of those kinds taken off the tracker
    (the whole log, not one record's)."""
    parts = [corrections_to(queryset, withdrawals) for queryset in querysets]
    if not parts:
        return []
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-corrected_at", "-correction_id")


def corrections_of(record):
    """corrections_log() of one record the reader may see already, newest
    first: each correction's time and kind (corrected_at, change_kind). No
    subquery of its kind's records and no UNION: a query Django compiles in
    a fraction of the time, on every record page (issue 25). A draft has
    none: a change is public only while its record is published."""
    if not record.is_published:
        return []
    return (
        type(record)
        .history.filter(history_is_public_change=True, id=record.pk)
        .order_by("-history_date", "-history_id")
        .values(corrected_at=F("history_date"), change_kind=F("history_change_kind"))
    )


@dataclass
class Correction:
    """One line of the corrections log."""

    record: models.Model
    corrected_at: datetime
    changed_fields: list
    reason: str
    kind: str = ChangeKind.CORRECTION
    # [{"field", "before", "after"}] in words, public fields only.
    changes: list = field(default_factory=list)
    # The record's brief as it stood just before, for readers who may export
    # briefs (set by the corrections view); None for everyone else.
    as_it_stood_url: str | None = None
    # A change that took the record off the tracker. `record` is then None
    # for a reader who may not see drafts, and `withdrawn_title` its last
    # published title; `withdrawn_kind` its model, for its kind's name.
    withdrawn: bool = False
    withdrawn_title: str = ""
    withdrawn_kind: type | None = None

    @property
    def kind_label(self):
        return ChangeKind(self.kind).label if self.kind in ChangeKind.values else self.kind


@dataclass
class CorrectedRecord:
    """A record and its corrections on one page of the log, newest first; a
    withdrawn record the reader may not see has no `record`, only its one
    withdrawal (whose withdrawn_title and withdrawn_kind name it)."""

    record: models.Model | None
    corrections: list


def group_by_record(corrections):
    """Corrections (newest first) grouped by record, the record whose newest
    correction is newest first. Each withdrawal of a record the reader may
    not see stands alone: nothing else of that record is public."""
    groups = {}
    for position, correction in enumerate(corrections):
        if correction.record is None:
            groups[position] = CorrectedRecord(None, [correction])
            continue
        key = (type(correction.record), correction.record.pk)
        groups.setdefault(key, CorrectedRecord(correction.record, [])).corrections.append(
            correction
        )
    return list(groups.values())


def linked_label(visible, pk):
    """A linked record's name, if the reader may see it."""
    if not pk:
        return EMPTY
    return related_label(visible[pk]) if pk in visible else gettext("a record not published")


def records_named_in_relation_changes(change_lists, user):
    """{(model label, pk): record} for the records the relation changes name
    that `user` may see now: one query per kind of record named."""
    wanted = defaultdict(set)
    for changes in change_lists:
        for change in changes or ():
            for label, pk in [*change.get("before_refs", ()), *change.get("after_refs", ())]:
                wanted[label].add(pk)
    visible = {}
    for label, pks in wanted.items():
        # A label stored with the change ("cases.actor"), resolved as Django does.
        model = django_apps.get_model(label)
        for pk, record in model.objects.visible_to(user).in_bulk(pks).items():
            visible[label, pk] = record
    return visible


def relation_change_for_reader(change, visible):
    """A change to linked records or inline rows as `visible` (the records the
    reader may see) allows: linked records named afresh, a draft never by
    name; a row that names a record the reader may not see, not shown."""
    words = {}
    for side in ("before", "after"):
        refs = change.get(f"{side}_refs")
        if refs is None:
            # Written before refs were kept: its words were checked then.
            words[side] = change[side]
        elif change.get("names") == NAMES_RECORDS:
            words[side] = (
                ", ".join(
                    related_label(visible[tuple(ref)])
                    if tuple(ref) in visible
                    else gettext("a record not yet published")
                    for ref in refs
                )
                or EMPTY
            )
        elif all(tuple(ref) in visible for ref in refs):
            words[side] = change[side]
        else:
            words[side] = gettext("a row naming a record not yet published")
    return {
        "field": label_in_reader_words(change["field"]),
        "before": in_reader_words(words["before"]),
        "after": in_reader_words(words["after"]),
        # A row's words (a citation's quote, a party's role) are the records'.
        # (English: the records' language where no Spanish version is kept.)
        "language": None if change.get("names") == NAMES_RECORDS else "en",
    }


def describe_corrections(rows, user):
    """Corrections for rows of corrections_log() (one page of them): each
    with its record, as far as `user` may see it, and what it changed, before
    and after, in words (diff_against the history row before it; a linked
    record `user` may not see is not named). A fixed number of queries per
    kind of record on the page, and per kind of record a change links to,
    whatever the number of rows."""
    rows = list(rows)
    rows_by_kind = defaultdict(list)
    for row in rows:
        rows_by_kind[row["record_kind"]].append(row)
    history_rows, records, deltas = {}, {}, {}
    linked_ids = defaultdict(set)
    for kind, kind_rows in rows_by_kind.items():
        model = _MODELS_BY_KIND_NAME[kind]
        history_ids = {row["correction_id"] for row in kind_rows}
        history_ids |= {row["previous_history_id"] for row in kind_rows}
        # Internal notes are not compared, so not even loaded.
        history_rows[kind] = model.history.defer(*INTERNAL_FIELDS).in_bulk(history_ids)
        records[kind] = (
            model.objects.visible_to(user)
            .for_listing(user)
            .in_bulk({row["record_id"] for row in kind_rows})
        )
        for row in kind_rows:
            after = history_rows[kind][row["correction_id"]]
            before = history_rows[kind].get(row["previous_history_id"])
            delta = (
                after.diff_against(
                    before, excluded_fields=INTERNAL_FIELDS, foreign_keys_are_objs=False
                ).changes
                if before is not None
                else []
            )
            deltas[row["correction_id"], kind] = delta
            for change in delta:
                related = model._meta.get_field(change.field).related_model
                if related is not None:
                    linked_ids[related].update(v for v in (change.old, change.new) if v)
    linked = {
        related: related.objects.visible_to(user).in_bulk(ids)
        for related, ids in linked_ids.items()
    }
    linked_records = records_named_in_relation_changes(
        [
            history_rows[row["record_kind"]][row["correction_id"]].history_relation_changes
            for row in rows
        ],
        user,
    )
    corrections = []
    for row in rows:
        kind = row["record_kind"]
        record = records[kind].get(row["record_id"])
        if record is None:
            if row["withdrawn"]:
                corrections.append(withdrawal(row, history_rows[kind]))
            # Else hidden or removed between the two queries.
            continue
        changes = field_changes_in_words(type(record), deltas[row["correction_id"], kind], linked)
        changes += [
            relation_change_for_reader(change, linked_records)
            for change in history_rows[kind][row["correction_id"]].history_relation_changes or []
        ]
        corrections.append(
            Correction(
                record=record,
                corrected_at=row["corrected_at"],
                changed_fields=[
                    change["field"][:1].lower() + change["field"][1:] for change in changes
                ]
                or [UNTRACKED_CHANGE],
                reason=row["reason"],
                kind=row["change_kind"],
                changes=changes,
                withdrawn=row["withdrawn"],
            )
        )
    return corrections


def field_changes_in_words(model, delta, linked):
    """A history row's own field changes (`delta`, diff_against's) as
    [{"field", "before", "after"}] in words; `linked` holds, per related
    model, the records the reader may see."""
    changes = []
    for change in delta:
        model_field = model._meta.get_field(change.field)
        if model_field.related_model is not None:
            words = [
                linked_label(linked[model_field.related_model], value)
                for value in (change.old, change.new)
            ]
        else:
            words = [value_in_words(model_field, value) for value in (change.old, change.new)]
        changes.append(
            {
                "field": field_label(model, change.field),
                "before": in_reader_words(words[0]),
                "after": in_reader_words(words[1]),
                "language": value_language(model_field),
            }
        )
    return changes


def withdrawal(row, history_rows):
    """The log's entry for a record taken off the tracker, for a reader who
    may no longer see it: its last published title, the kind of change and
    the reason, and nothing of what else the change or the draft holds."""
    last_published = history_rows.get(row["previous_history_id"])
    after = history_rows[row["correction_id"]]
    status = type(after.instance)._meta.get_field("publication_status")
    return Correction(
        record=None,
        corrected_at=row["corrected_at"],
        changed_fields=[field_label(type(after.instance), "publication_status").lower()],
        reason=row["reason"],
        kind=row["change_kind"],
        changes=[
            {
                "field": field_label(type(after.instance), "publication_status"),
                "before": value_in_words(status, "published"),
                "after": value_in_words(status, after.publication_status),
            }
        ],
        withdrawn=True,
        withdrawn_title=str(last_published.instance) if last_published else "",
        withdrawn_kind=type(after.instance),
    )
