"""The data version (cases/data_version.py) and, on SQLite, the indexes of
0004 and 0006 that SQLite can build.

- DataVersion: one row whose token changes with every write to the app's
  tables, bumped by database triggers in the writing transaction. The
  triggers are installed here for the tables that exist now, and again after
  every `migrate` (post_migrate) for tables added later.
- SQLite indexes: the sort indexes (value, slug), the default table orders and
  the facet indexes (publication_status, column); SQLite keeps the rowid in
  every index, so the latter cover COUNT(id) as PostgreSQL's INCLUDE (id)
  does. Not built: GIN full-text and trigram indexes (no such thing in SQLite;
  search there is another migration's business) and NULLS LAST in an index
  (SQLite's NULLs sort first ascending and last descending, so the descending
  index serves `date DESC NULLS LAST`, the default order). PostgreSQL already
  has all of these from 0004 and 0006: nothing is done there.
"""

import importlib

from django.db import migrations, models

from cases import data_version

performance = importlib.import_module("cases.migrations.0004_postgres_performance_indexes")
facets = importlib.import_module("cases.migrations.0006_postgres_facet_indexes")


def sqlite_indexes():
    """(index name, table, column list as SQL) for every index SQLite gets."""
    indexes = []
    for kind, fields in performance.PLAIN_SORTS.items():
        for field in fields:
            indexes.append((f"{kind[:8]}_{field[:12]}_sort", f"cases_{kind}", f'"{field}", "slug"'))
    for kind, fields in performance.NULLS_LAST_SORTS.items():
        for field in fields:
            for direction in ("asc", "desc"):
                indexes.append(
                    (
                        f"{kind[:8]}_{field[:8]}_{direction}_sort",
                        f"cases_{kind}",
                        f'"{field}" {direction.upper()}, "slug"',
                    )
                )
    for kind in performance.DEFAULT_ORDERS:
        # (date DESC NULLS LAST, title, slug): NULLs already sort last descending.
        indexes.append((f"{kind[:8]}_table_order", f"cases_{kind}", '"date" DESC, "title", "slug"'))
    for name, table, column in facets.facet_indexes():
        indexes.append((name, table, f'"publication_status", "{column}"'))
    return indexes


class SqliteIndexes(migrations.operations.base.Operation):
    """Create (and on reversal drop) indexes on SQLite; nothing elsewhere."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return
        for name, table, columns in sqlite_indexes():
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')
        # The query planner chooses between indexes by their statistics.
        schema_editor.execute("ANALYZE")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return
        for name, _table, _columns in sqlite_indexes():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def describe(self):
        return "Create the sort and facet indexes on SQLite (PostgreSQL has them from 0004, 0006)"


def install_triggers(apps, schema_editor):
    data_version.install_triggers(schema_editor.connection, apps.get_app_config("cases"))


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    tables = data_version.versioned_tables(apps.get_app_config("cases"))
    for table in tables:
        if connection.vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {data_version.TRIGGER_NAME} ON "{table}"')
        elif connection.vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {data_version.TRIGGER_NAME}_{table}_{event}"
                )
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_bump_data_version()")


class Migration(migrations.Migration):
    dependencies = [
        ('cases', '0009_change_kinds_and_source_details'),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=64)),
                ("changed_at", models.DateTimeField()),
            ],
            options={"verbose_name": "data version"},
        ),
        migrations.RunPython(install_triggers, drop_triggers),
        SqliteIndexes(),
    ]
