"""The data version: for every table of the app, a token that changes
whenever a row of it (a record, citation, source, link or history row)
changes, all read in one query once per request.

Why database triggers rather than Django signals: signals miss
QuerySet.update(), bulk_create(), raw SQL and loaddata's raw saves, and
many-to-many changes need m2m_changed on every through model. A trigger on
every table of the app fires for all of them, inside the writing transaction,
so the new token becomes visible exactly when the change is committed: a
reader can never read the new token and then the old data (it reads the
tokens first, in one statement), and a rolled-back write leaves the tokens as
they were.

Why one token per table rather than one for everything: a newsroom edits all
day, and with one token every save made every cached page of every kind
stale. With one per table, a page is keyed by the tables it reads
(cases/response_cache.py): a correction to an event recomputes the pages that
show events, and leaves the transfers tables cached.

The tokens are random rather than counters, so a database restored from a
backup (or a test's rolled-back transaction) cannot bring an old number back
and with it pages cached for other data.

PostgreSQL: one statement-level trigger per table (a bulk insert of 1,000
rows bumps the table's version once). SQLite has row-level triggers only; a
bump there is one small write per changed row. A writer takes its table's
version row lock until it commits, so writers to one table are serialized,
which an admin-edited newsroom tool can afford.

Link versions: a kind's table also has a second token, `<table>#links`,
changed only when a row is added or removed or an update changes one of the
columns another kind's page may show of it (its name, slug, status...:
kinds.Kind.link_columns). A correction to a facility's description changes
`cases_facility` but not `cases_facility#links`, so the transfers tables,
which name facilities, stay cached (cases/response_cache.py).

Triggers are (re)installed after every `migrate` (post_migrate, see
apps.py), so a table added later gets its trigger without anyone
remembering to write one; tests/test_page_cache.py checks every table has it.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps as global_apps
from django.db import connections
from django.utils.dateparse import parse_datetime

VERSION_TABLE = "cases_tableversion"
TRIGGER_NAME = "cases_data_version"
LINK_TRIGGER_NAME = "cases_link_version"
LINK_SUFFIX = "#links"


def link_version_table(table):
    """The name a table's link version is kept under (see the docstring)."""
    return f"{table}{LINK_SUFFIX}"


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cases_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (table_name, token, changed_at)
    VALUES (TG_TABLE_NAME, replace(gen_random_uuid()::text, '-', ''), clock_timestamp())
    ON CONFLICT (table_name) DO UPDATE
    SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$
"""

POSTGRES_LINK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cases_bump_link_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (table_name, token, changed_at)
    VALUES (TG_TABLE_NAME || '{LINK_SUFFIX}', replace(gen_random_uuid()::text, '-', ''),
            clock_timestamp())
    ON CONFLICT (table_name) DO UPDATE
    SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$
"""


def _sqlite_bump(table, verb="INSERT OR REPLACE"):
    return (
        f"{verb} INTO {VERSION_TABLE} (table_name, token, changed_at) "
        f"VALUES ('{table}', lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now'))"
    )


def versioned_tables(app_config):
    """Every table of the app (records, links, citations, history) but the
    versions' own."""
    return sorted(
        {
            model._meta.db_table
            for model in app_config.get_models(include_auto_created=True)
            if model._meta.db_table != VERSION_TABLE
            and not model._meta.proxy
            and model._meta.managed
        }
    )


def install_triggers(connection, app_config, link_columns=None):
    """Create the bump triggers on every existing table of the app, and a
    first token for each (idempotent: a trigger written by an older release
    is replaced); and for each table of `link_columns` ({table: the columns
    another kind's page may show}), its link version's triggers."""
    existing = set(connection.introspection.table_names())
    if VERSION_TABLE not in existing:
        return
    tables = [table for table in versioned_tables(app_config) if table in existing]
    _install_table_triggers(connection, tables)
    links = {table: columns for table, columns in (link_columns or {}).items() if table in existing}
    _install_link_triggers(connection, links)


def _install_table_triggers(connection, tables):
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
                cursor.execute(
                    f"INSERT INTO {VERSION_TABLE} (table_name, token, changed_at) "
                    "VALUES (%s, replace(gen_random_uuid()::text, '-', ''), clock_timestamp()) "
                    "ON CONFLICT (table_name) DO NOTHING",
                    [table],
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    name = f"{TRIGGER_NAME}_{table}_{event.lower()}"
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {event} ON {connection.ops.quote_name(table)} "
                        f"BEGIN {_sqlite_bump(table)}; END"
                    )
                cursor.execute(_sqlite_bump(table, verb="INSERT OR IGNORE"))
        # Another backend has no trigger: the page cache reads no version and stays off.


def _install_link_triggers(connection, link_columns):
    """A link version changes on an insert or a delete, and on an update only
    when one of the link columns changes (compared row by row: an admin save
    writes every column, changed or not)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and link_columns:
            cursor.execute(POSTGRES_LINK_FUNCTION)
        for table, columns in link_columns.items():
            changed = " OR ".join(
                f"OLD.{quote(column)} IS DISTINCT FROM NEW.{quote(column)}"
                if connection.vendor == "postgresql"
                else f"OLD.{quote(column)} IS NOT NEW.{quote(column)}"
                for column in columns
            )
            first_token = (link_version_table(table),)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {LINK_TRIGGER_NAME} "
                    "AFTER INSERT OR DELETE OR TRUNCATE "
                    f"ON {quote(table)} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION cases_bump_link_version()"
                )
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {LINK_TRIGGER_NAME}_update "
                    f"AFTER UPDATE ON {quote(table)} FOR EACH ROW WHEN ({changed}) "
                    "EXECUTE FUNCTION cases_bump_link_version()"
                )
                cursor.execute(
                    f"INSERT INTO {VERSION_TABLE} (table_name, token, changed_at) "
                    "VALUES (%s, replace(gen_random_uuid()::text, '-', ''), clock_timestamp()) "
                    "ON CONFLICT (table_name) DO NOTHING",
                    first_token,
                )
            elif connection.vendor == "sqlite":
                bump = _sqlite_bump(link_version_table(table))
                for event, condition in (("INSERT", ""), ("DELETE", ""), ("UPDATE", changed)):
                    name = f"{LINK_TRIGGER_NAME}_{table}_{event.lower()}"
                    when = f"WHEN {condition} " if condition else ""
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} "
                        f"{when}BEGIN {bump}; END"
                    )
                cursor.execute(_sqlite_bump(link_version_table(table), verb="INSERT OR IGNORE"))


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


def install_after_migrate(sender, app_config, using, link_columns=None, **kwargs):
    """What a post_migrate receiver calls: triggers for the app's current
    tables (cases/response_cache.py says which columns links show)."""
    if app_config.label != "cases":
        return
    install_triggers(connections[using], global_apps.get_app_config("cases"), link_columns)


@dataclass(frozen=True)
class Version:
    """The version of some tables taken together: a token that changes when
    any of them changes, and the time of the latest change."""

    token: str
    changed_at: datetime


@dataclass(frozen=True)
class Versions:
    """Every table's version as read in one statement."""

    tables: dict

    def of(self, tables=None):
        """The version of `tables` (every table when None) taken together. A
        table never written has no row yet: it reads as the empty token, so
        its first write still changes the combined one."""
        names = sorted(self.tables) if tables is None else sorted(set(tables))
        digest = hashlib.blake2b(digest_size=16)
        latest = None
        for name in names:
            if name.endswith(LINK_SUFFIX) and name not in self.tables:
                # No link version yet (code deployed before `migrate` put its
                # triggers in): the whole table's, which changes with every write.
                name = name.removesuffix(LINK_SUFFIX)
            token, changed_at = self.tables.get(name, ("", None))
            digest.update(f"{name}={token};".encode())
            if changed_at is not None and (latest is None or changed_at > latest):
                latest = changed_at
        return Version(token=digest.hexdigest(), changed_at=latest or _EPOCH)

    @property
    def token(self):
        return self.of().token

    @property
    def changed_at(self):
        return self.of().changed_at


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def read(using="default"):
    """Every table's version, or None when there is none (a flushed database,
    a backend without triggers): then nothing is cached. Plain SQL: on a
    cache hit this is the request's only query, and building it through the
    ORM cost more than running it."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT table_name, token, changed_at FROM {VERSION_TABLE}")
        rows = cursor.fetchall()
    if not rows:
        return None
    tables = {}
    for table, token, changed_at in rows:
        if isinstance(changed_at, str):
            # SQLite hands back the text the trigger wrote, in UTC.
            changed_at = parse_datetime(changed_at).replace(tzinfo=UTC)
        tables[table] = (token, changed_at)
    return Versions(tables=tables)


def for_request(request, using="default"):
    """Every table's version, read once per request and kept on it."""
    if not hasattr(request, "_data_version"):
        request._data_version = read(using)
    return request._data_version
