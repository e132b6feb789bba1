"""The data version: a token that changes whenever any record, citation,
source, link or history row changes, read once per request.

Why database triggers rather than Django signals: signals miss
QuerySet.update(), bulk_create(), raw SQL and loaddata's raw saves, and
many-to-many changes need m2m_changed on every through model. A trigger on
every table of the app fires for all of them, inside the writing transaction,
so the new token becomes visible exactly when the change is committed: a
reader can never read the new token and then the old data (it reads the token
first), and a rolled-back write leaves the token as it was.

The token is random rather than a counter, so a database restored from a
backup (or a test's rolled-back transaction) cannot bring an old number back
and with it pages cached for other data.

PostgreSQL: one statement-level trigger per table (a bulk insert of 1,000
rows bumps the version once). SQLite has row-level triggers only; a bump
there is one small write per changed row. Writers to the app's tables take
the version row's lock until they commit: edits are serialized, which an
admin-edited newsroom tool can afford.

Triggers are (re)installed after every `migrate` (post_migrate, see
apps.py), so a table added later gets its trigger without anyone
remembering to write one; tests/test_page_cache.py checks every table has it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps as global_apps
from django.db import connections
from django.utils.dateparse import parse_datetime

VERSION_TABLE = "cases_dataversion"
TRIGGER_NAME = "cases_data_version"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cases_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (id, token, changed_at)
    VALUES (1, replace(gen_random_uuid()::text, '-', ''), clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$
"""

SQLITE_BUMP = (
    f"INSERT OR REPLACE INTO {VERSION_TABLE} (id, token, changed_at) "
    "VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now'))"
)


def versioned_tables(app_config):
    """Every table of the app (records, links, citations, history) but the
    version's own."""
    return sorted(
        {
            model._meta.db_table
            for model in app_config.get_models(include_auto_created=True)
            if model._meta.db_table != VERSION_TABLE
            and not model._meta.proxy
            and model._meta.managed
        }
    )


def install_triggers(connection, app_config):
    """Create the bump triggers on every existing table of the app (idempotent)."""
    existing = set(connection.introspection.table_names())
    if VERSION_TABLE not in existing:
        return
    tables = [table for table in versioned_tables(app_config) if table in existing]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for table in tables:
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {TRIGGER_NAME} "
                    "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {connection.ops.quote_name(table)} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION cases_bump_data_version()"
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_NAME}_{table}_{event.lower()} "
                        f"AFTER {event} ON {connection.ops.quote_name(table)} "
                        f"BEGIN {SQLITE_BUMP}; END"
                    )
        else:
            # No trigger here: the page cache reads no version and stays off.
            return
        # The first token, so pages can be cached before the first edit.
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {VERSION_TABLE} (id, token, changed_at) "
                "VALUES (1, replace(gen_random_uuid()::text, '-', ''), clock_timestamp()) "
                "ON CONFLICT (id) DO NOTHING"
            )
        else:
            cursor.execute(SQLITE_BUMP.replace("INSERT OR REPLACE", "INSERT OR IGNORE"))


def tables_without_trigger(connection, app_config):
    """The app's tables that have no bump trigger (should be none)."""
    tables = versioned_tables(app_config)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name = %s",
                [TRIGGER_NAME],
            )
            covered = {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER_NAME}_%"],
            )
            covered = {row[0] for row in cursor.fetchall()}
    return [table for table in tables if table not in covered]


def install_after_migrate(sender, app_config, using, apps=global_apps, **kwargs):
    """post_migrate receiver: triggers for the app's current tables."""
    if app_config.label != "cases":
        return
    install_triggers(connections[using], global_apps.get_app_config("cases"))


@dataclass(frozen=True)
class Version:
    token: str
    changed_at: datetime


def read(using="default"):
    """The current version, or None when there is none (a flushed database,
    a backend without triggers): then nothing is cached. Plain SQL: on a
    cache hit this is the request's only query, and building it through the
    ORM cost more than running it."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token, changed_at FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    token, changed_at = row
    if isinstance(changed_at, str):
        # SQLite hands back the text the trigger wrote, in UTC.
        changed_at = parse_datetime(changed_at).replace(tzinfo=UTC)
    return Version(token=token, changed_at=changed_at)


def for_request(request, using="default"):
    """The data version, read once per request and kept on it."""
    if not hasattr(request, "_data_version"):
        request._data_version = read(using)
    return request._data_version
