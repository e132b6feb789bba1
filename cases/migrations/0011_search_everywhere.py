"""Search that forgives (cases/search.py), on both databases.

PostgreSQL: the unaccent extension; cases_search_fold(), an immutable wrapper
(lower case, accents and joiners removed); and per kind a trigram index on the
folded search fields, and on the folded names of the kinds other kinds are
found through. SQLite: per kind an FTS5 table (porter stemming, diacritics
removed) with triggers that keep it in step, filled from the records there.

Field lists are written out, as in 0004: when a kind's search_fields or
search_name_fields change, add a migration that rebuilds its objects.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

from cases import search_index

# Each QuerySet's search_fields (the kind's own text) ...
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
# ... and search_name_fields (what names a record to a search through a link).
NAME_FIELDS = {
    "source": ("title",),
    "actor": ("name", "aliases"),
    "facility": ("name", "short_name", "aliases"),
    "agreement": ("title",),
    "transfer": ("title",),
    "detaineegroup": ("name",),
    "event": ("title",),
    "statement": (),
}
# Kinds that other kinds are found through (search_relations point at them).
LINKED_KINDS = ("actor", "facility", "agreement", "transfer", "detaineegroup", "event")


def postgres_indexes():
    """(name, table, fields) of each trigram index on folded text."""
    indexes = [(f"{kind[:12]}_search_fold", f"cases_{kind}", SEARCH_FIELDS[kind]) for kind in SEARCH_FIELDS]
    indexes += [(f"{kind[:12]}_search_names", f"cases_{kind}", NAME_FIELDS[kind]) for kind in LINKED_KINDS]
    return indexes


def sqlite_kinds():
    for kind, fields in SEARCH_FIELDS.items():
        names = NAME_FIELDS[kind]
        yield f"cases_{kind}", names, tuple(field for field in fields if field not in names)


class SearchEverywhere(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            # As in 0004: building indexes may outlast the web statement timeout.
            schema_editor.execute("SET LOCAL statement_timeout = 0")
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT extnamespace::regnamespace::text FROM pg_extension "
                    "WHERE extname = 'unaccent'"
                )
                (schema,) = cursor.fetchone()
            schema_editor.execute(search_index.postgres_fold_function_sql(schema.strip('"')))
            for name, table, fields in postgres_indexes():
                schema_editor.execute(search_index.postgres_fold_index_sql(name, table, fields))
        elif vendor == "sqlite":
            for table, names, body in sqlite_kinds():
                for statement in search_index.sqlite_create_sql(table, names, body):
                    schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for name, _table, _fields in postgres_indexes():
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
            schema_editor.execute("DROP FUNCTION IF EXISTS cases_search_fold(text)")
        elif vendor == "sqlite":
            for table, _names, _body in sqlite_kinds():
                for statement in search_index.sqlite_drop_sql(table):
                    schema_editor.execute(statement)

    def describe(self):
        return "Create search's folding function and indexes (PostgreSQL) or FTS5 tables (SQLite)"


class Migration(migrations.Migration):
    dependencies = [
        ('cases', '0010_data_version_and_sqlite_indexes'),
    ]

    operations = [
        # Does nothing on databases other than PostgreSQL.
        UnaccentExtension(),
        SearchEverywhere(),
    ]
