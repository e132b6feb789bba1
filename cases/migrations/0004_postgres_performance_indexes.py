"""Indexes for the tables' sorts and for search, on PostgreSQL only.

- Sorts: each sortable column is ordered by its value then the slug (see
  tables.with_tiebreak), and empty dates and counts go last both ways, so each
  sort gets a B-tree index in exactly that order; a table page then reads the
  first rows of an index instead of sorting the whole table.
- Full-text search: a GIN index on the same to_tsvector expression that
  QuerySet.search() builds (SearchVector over the kind's search_fields with the
  "english" configuration), so PostgreSQL matches the expression and uses it.
- Substring search: icontains compiles to UPPER(col::text) LIKE UPPER('%word%'),
  so each search field gets a trigram GIN index on UPPER(col::text).

SQLite cannot build these (no GIN, no pg_trgm, no NULLS LAST in indexes) and
its databases are small, so there these operations do nothing. The indexes are
not part of the models' state: `makemigrations` does not see them, and they
are created and dropped here only. Field lists are written out so this
migration keeps doing what it did, whatever later code says; when a kind's
search_fields change, add a migration that rebuilds its indexes.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.db.models import F

# Mirrors of each QuerySet's search_fields (Statement's speaker__name is a
# join, which an index on the statement table cannot hold: it gets trigram
# indexes on its own fields and no full-text index).
SEARCH_FIELDS = {
    "source": ("title", "publisher", "description", "text"),
    "actor": ("name", "role", "aliases", "country", "description"),
    "facility": ("name", "short_name", "aliases", "location", "country", "description"),
    "agreement": ("title", "summary", "financial_terms"),
    "transfer": ("title", "summary", "count_stated", "date_stated", "to_country"),
    "detaineegroup": ("name", "size_stated", "accusation", "nationality"),
    "event": ("title", "summary", "location", "date_stated"),
    "statement": ("text", "medium", "date_stated"),
}
FULL_TEXT_KINDS = ("source", "actor", "facility", "agreement", "transfer", "detaineegroup", "event")

# The sortable columns of each table (cases/tables.py) whose order an index
# can give: plain values sort as (value, slug); values that may be empty sort
# with empty ones last, ascending or descending, then by slug.
PLAIN_SORTS = {
    "transfer": ("title", "claim_status"),
    "detaineegroup": ("name", "accusation", "claim_status"),
    "agreement": ("title", "status", "claim_status"),
    "actor": ("name", "kind", "role", "country", "claim_status"),
    "facility": ("name", "short_name", "kind", "country", "location", "claim_status"),
    "event": ("title", "occurrence", "claim_status"),
    "statement": ("kind", "claim_status"),
    "source": ("title", "kind", "publisher"),
}
NULLS_LAST_SORTS = {
    "transfer": ("date", "count"),
    "detaineegroup": ("size",),
    "event": ("date",),
    "statement": ("date",),
    "source": ("published_on",),
}
# Each QuerySet's table_ordering, when it is not one of the sorts above.
DEFAULT_ORDERS = {
    "transfer": (F("date").desc(nulls_last=True), F("title"), F("slug")),
    "event": (F("date").desc(nulls_last=True), F("title"), F("slug")),
}


def trigram_indexes():
    """(index name, table, column) for each search field's trigram index."""
    return [
        (f"{kind[:8]}_{field[:14]}_trgm", f"cases_{kind}", field)
        for kind, fields in SEARCH_FIELDS.items()
        for field in fields
    ]


def performance_indexes():
    """(model name, index) for every index this migration creates."""
    indexes = []
    for kind in FULL_TEXT_KINDS:
        indexes.append(
            (
                kind,
                GinIndex(
                    SearchVector(*SEARCH_FIELDS[kind], config="english"),
                    name=f"{kind}_search_fts"[:30],
                ),
            )
        )
    for kind, fields in PLAIN_SORTS.items():
        for field in fields:
            indexes.append(
                (kind, models.Index(F(field), F("slug"), name=f"{kind[:8]}_{field[:12]}_sort"))
            )
    for kind, fields in NULLS_LAST_SORTS.items():
        for field in fields:
            for direction, expression in (
                ("asc", F(field).asc(nulls_last=True)),
                ("desc", F(field).desc(nulls_last=True)),
            ):
                indexes.append(
                    (
                        kind,
                        models.Index(
                            expression, F("slug"), name=f"{kind[:8]}_{field[:8]}_{direction}_sort"
                        ),
                    )
                )
    for kind, order in DEFAULT_ORDERS.items():
        indexes.append((kind, models.Index(*order, name=f"{kind[:8]}_table_order")))
    return indexes


class PostgresOnlyIndexes(migrations.operations.base.Operation):
    """Create (and on reversal drop) indexes on PostgreSQL; nothing elsewhere.
    The models' state is left as it is."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def _run(self, app_label, schema_editor, to_state, method):
        if schema_editor.connection.vendor != "postgresql":
            return
        # Building these on a large table takes longer than the web requests'
        # statement timeout (settings: DB_STATEMENT_TIMEOUT_MS); the migration
        # runs in one transaction, so this lifts it for the migration alone.
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        for model_name, index in performance_indexes():
            model = to_state.apps.get_model(app_label, model_name)
            getattr(schema_editor, method)(model, index)
        quote = schema_editor.quote_name
        for name, table, column in trigram_indexes():
            if method == "add_index":
                # Written out: the expression must read exactly as icontains
                # compiles it, UPPER(column::text).
                schema_editor.execute(
                    f"CREATE INDEX {quote(name)} ON {quote(table)} "
                    f"USING gin (UPPER({quote(column)}::text) gin_trgm_ops)"
                )
            else:
                schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, to_state, "add_index")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, from_state, "remove_index")

    def describe(self):
        return "Create sort, full-text and trigram indexes (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_roles"),
    ]

    operations = [
        # Does nothing on databases other than PostgreSQL.
        TrigramExtension(),
        PostgresOnlyIndexes(),
    ]
