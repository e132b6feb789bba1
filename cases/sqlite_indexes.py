"""On SQLite, keep the sort and facet indexes of migration 0010 after every
`migrate` (connected in cases/apps.py), and the planner's statistics
covering every index.

SQLite cannot alter most columns in place, so Django rebuilds the table for
many schema changes (an added column with a default, for one): it copies the
rows to a new table and drops the old one, and the indexes that 0010 created
in raw SQL go with it, since the models' state does not know them. The table
pages would then sort and count without their indexes, silently slower. The
list of indexes stays the migration's own, so this puts back exactly what
0010 built, no more.
"""

import importlib

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

MIGRATION = "0010_data_version_and_sqlite_indexes"


def restore_after_migrate(sender, app_config, using="default", **kwargs):
    """post_migrate receiver: recreate any of 0010's indexes a rebuilt table
    lost, then refresh the planner's statistics if anything was built."""
    if app_config.label != "cases":
        return
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if ("cases", MIGRATION) not in MigrationRecorder(connection).applied_migrations():
        return
    wanted = importlib.import_module(f"cases.migrations.{MIGRATION}").sqlite_indexes()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        existing = {row[0] for row in cursor.fetchall()}
        missing = [index for index in wanted if index[0] not in existing]
        for name, table, columns in missing:
            cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')
        if missing or _indexes_without_statistics(cursor):
            cursor.execute("ANALYZE")


def _indexes_without_statistics(cursor):
    """Indexes a migration added to a table the planner has statistics for,
    but not for them. SQLite then guesses, and picked migration 0022's new
    (publication_status, updated_at) index for every facet count over the
    covering index made for it: 15 ms became 160 ms at 100,000 transfers
    until ANALYZE. A database never analyzed (a new one) is left to guess."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return []
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name IN (SELECT tbl FROM sqlite_stat1) "
        "AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
    )
    return [row[0] for row in cursor.fetchall()]
