"""Two indexes for the transfers' table, on PostgreSQL only (as in 0004 and
0006; issue 25).

- 0004's `transfer_table_order` (the table's order: date, newest first and
  undated last, then title and slug) made again with each row's id and
  publication status in it (INCLUDE): a deep page (`?page=2000`) reads the
  keys of the rows it skips from the index alone, for an editor (every
  row) and for a reader (the published rows: the status is checked in the
  index). Without them each skipped row was looked up in the table, and
  after 0024 rewrote the table the planner preferred sorting every
  transfer (80–90 ms at 100,000 transfers, on disk, editor or reader) to
  that; from the index alone, 9 ms (editor) and 13 ms (reader).
- The three facets' columns together (destination, agreement, claim
  status), so the facet counts of an unfiltered table are one index-only
  scan grouped three ways (GROUPING SETS, cases/facets.py) rather than
  three scans of 0006's one-column indexes, which stay for filtered counts.

Neither is part of the models' state; SQLite, which cannot put NULLS LAST in
an index nor group by sets, gets nothing here (0010 gave it its own table
order). Neither reads a column the stored search columns of 0024 fold, so
those are left as they are.
"""

from django.db import migrations

TABLE_ORDER = '"date" DESC NULLS LAST, "title", "slug"'
# name: (columns, before, after)
INDEXES = {
    "transfer_table_order": (TABLE_ORDER, "", ' INCLUDE ("id", "publication_status")'),
    "transfer_facets_together": (
        '"publication_status", "destination_id", "agreement_id", "claim_status"',
        None,
        "",
    ),
}


class PostgresTransferIndexes(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def _build(self, schema_editor, forwards):
        if schema_editor.connection.vendor != "postgresql":
            return
        # As in 0004: building them may take longer than the web statement timeout.
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        for name, (columns, before, after) in INDEXES.items():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
            include = after if forwards else before
            if include is not None:
                schema_editor.execute(
                    f'CREATE INDEX "{name}" ON "cases_transfer" ({columns}){include}'
                )
        # The planner weighs the indexes by the table's statistics.
        schema_editor.execute('ANALYZE "cases_transfer"')

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._build(schema_editor, forwards=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._build(schema_editor, forwards=False)

    def describe(self):
        return "Cover the transfers' table order and facet counts with indexes (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0024_search_folded_columns"),
    ]

    operations = [PostgresTransferIndexes()]
