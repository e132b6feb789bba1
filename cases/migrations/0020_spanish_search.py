"""Search in Spanish (cases/search.py), on both databases.

PostgreSQL: per kind with Spanish versions a full-text index on them in the
`spanish` configuration (Snowball's Spanish stems) and a trigram index on them
folded (accents and case aside), plus one on the Spanish
names of the kinds other kinds are found through. SQLite: each kind's FTS5
table is made again with two more columns holding the Spanish versions'
stems (an FTS5 table cannot gain columns), and filled from the records.

Field lists are written out, as in 0004 and 0011.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

from cases import search_index

SPANISH_CONFIG = "spanish"

# As 0011: each kind's (name fields, other fields) ...
SEARCH_FIELDS = {
    "source": (("title",), ("publisher", "description", "text")),
    "actor": (("name", "aliases"), ("role", "country", "description")),
    "facility": (("name", "short_name", "aliases"), ("location", "country", "description")),
    "agreement": (("title",), ("summary", "financial_terms")),
    "transfer": (("title",), ("summary", "count_stated", "date_stated", "to_country")),
    "detaineegroup": (("name",), ("size_stated", "accusation", "nationality")),
    "event": (("title",), ("summary", "location", "date_stated")),
    "statement": ((), ("text", "medium", "date_stated")),
}
# ... and now their Spanish versions (the `_es` fields of 0016 and 0019).
SPANISH_FIELDS = {
    "source": ((), ()),
    "actor": ((), ("role_es", "description_es")),
    "facility": ((), ("description_es",)),
    "agreement": (("title_es",), ("summary_es", "financial_terms_es")),
    "transfer": (("title_es",), ("summary_es",)),
    "detaineegroup": (("name_es",), ()),
    "event": (("title_es",), ("summary_es",)),
    "statement": ((), ()),
}


def spanish_vector_index(kind):
    names, body = SPANISH_FIELDS[kind]
    return GinIndex(
        SearchVector(*names, *body, config=SPANISH_CONFIG), name=f"{kind[:12]}_search_es"
    )


def postgres_trigram_indexes():
    """(name, table, fields) of each trigram index on folded Spanish text."""
    indexes = []
    for kind, (names, body) in SPANISH_FIELDS.items():
        if names or body:
            indexes.append((f"{kind[:12]}_search_fold_es", f"cases_{kind}", (*names, *body)))
        if names:
            indexes.append((f"{kind[:12]}_search_names_es", f"cases_{kind}", names))
    return indexes


class SpanishSearch(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute("SET LOCAL statement_timeout = 0")
            for kind, (names, body) in SPANISH_FIELDS.items():
                if names or body:
                    model = to_state.apps.get_model(app_label, kind)
                    schema_editor.add_index(model, spanish_vector_index(kind))
            for name, table, fields in postgres_trigram_indexes():
                schema_editor.execute(search_index.postgres_fold_index_sql(name, table, fields))
        elif vendor == "sqlite":
            for kind, (names, body) in SEARCH_FIELDS.items():
                table = f"cases_{kind}"
                statements = [
                    *search_index.sqlite_drop_sql(table),
                    *search_index.sqlite_create_sql(table, names, body, *SPANISH_FIELDS[kind]),
                ]
                for statement in statements:
                    schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for name, _table, _fields in postgres_trigram_indexes():
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
            for kind in SPANISH_FIELDS:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{kind[:12]}_search_es"')
        elif vendor == "sqlite":
            for kind, (names, body) in SEARCH_FIELDS.items():
                table = f"cases_{kind}"
                statements = [
                    *search_index.sqlite_drop_sql(table),
                    *search_index.sqlite_create_sql(table, names, body),
                ]
                for statement in statements:
                    schema_editor.execute(statement)

    def describe(self):
        return "Search the Spanish versions: a Spanish configuration and indexes, or FTS5 columns"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_translated_labels_and_spanish_versions"),
    ]

    operations = [SpanishSearch()]
