"""Search's folded text stored with each record (PostgreSQL only; issue 25).

Each kind's own search fields, folded (cases_search_fold: lower case, accents
and joiners removed), were indexed as an expression (0011, and the Spanish
versions in 0020). A trigram index only narrows a substring match down to
candidates: PostgreSQL then folds every candidate's text again to check it,
about 70 µs a record, so a common word ("hospital": one transfer in ten at
100,000) took 700 ms in that check alone. The folded text is now a stored
generated column (`search_folded`, and `search_folded_es` for kinds with
Spanish versions), computed by PostgreSQL when a record is written, with the
trigram index on the column: the check is then a plain LIKE over stored text.
The expression indexes they replace are dropped.

The columns are not model fields: Django neither reads nor writes them (they
are written by the database), `makemigrations` does not see them, and SQLite,
which searches through FTS5 (0011), gets nothing here. Because a generated
column depends on the columns it reads, PostgreSQL refuses to change the type
of one of those fields (e.g. a new max_length) while the column exists: such a
migration drops the column first and adds it back after (see
cases.search_index). Field lists are written out, as in 0011 and 0020.
"""

from django.db import migrations

from cases import search_index

# Each QuerySet's search_fields, as 0011 indexed them ...
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
# ... and their Spanish versions, as 0020 indexed them.
SPANISH_FIELDS = {
    "actor": ("role_es", "description_es"),
    "facility": ("description_es",),
    "agreement": ("title_es", "summary_es", "financial_terms_es"),
    "transfer": ("title_es", "summary_es"),
    "detaineegroup": ("name_es",),
    "event": ("title_es", "summary_es"),
}


# ... and as the records have them since 0023, which gave a source's
# description its Spanish version (no expression index of 0020 to replace).
STORED_SPANISH_FIELDS = {**SPANISH_FIELDS, "source": ("description_es",)}


def columns(kind):
    """{column: fields} of the folded text stored for `kind`."""
    stored = {"search_folded": SEARCH_FIELDS[kind]}
    if kind in STORED_SPANISH_FIELDS:
        stored["search_folded_es"] = STORED_SPANISH_FIELDS[kind]
    return stored


def expression_indexes(kind):
    """(name, fields) of the expression indexes of 0011 and 0020 the columns replace."""
    indexes = [(f"{kind[:12]}_search_fold", SEARCH_FIELDS[kind])]
    if kind in SPANISH_FIELDS:
        indexes.append((f"{kind[:12]}_search_fold_es", SPANISH_FIELDS[kind]))
    return indexes


class StoreFoldedText(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        # As in 0004: rewriting the tables may outlast the web statement timeout.
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        for kind in SEARCH_FIELDS:
            table = f"cases_{kind}"
            # Dropped first, so that the table's rewrite does not rebuild them.
            for name, _fields in expression_indexes(kind):
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
            for statement in search_index.postgres_folded_columns_sql(table, columns(kind)):
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        for kind in SEARCH_FIELDS:
            table = f"cases_{kind}"
            for statement in search_index.postgres_drop_folded_columns_sql(table, columns(kind)):
                schema_editor.execute(statement)
            for name, fields in expression_indexes(kind):
                schema_editor.execute(search_index.postgres_fold_index_sql(name, table, fields))

    def describe(self):
        return "Store each record's folded search text in a column of its own (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0023_issue_23_spanish_reasons"),
    ]

    operations = [StoreFoldedText()]
