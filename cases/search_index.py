"""The database objects search needs (see cases/search.py), as SQL.

Used by migrations 0011, 0020 and 0024, which give each function the field
lists of their day, and after every `migrate` by check_sqlite_search_index()
(cases/apps.py): on SQLite, a later migration that rebuilds a table (Django
copies it to a new table and drops the old one) drops that table's triggers
with it, and the search index would silently stop following the records.
"""

from .search import (
    SQLITE_EDIT_DISTANCE_FUNCTION,
    VOCABULARY_TABLE,
    WORD_JOINERS,
    edit_distance,
    spanish_fields,
    spanish_stems,
    vocabulary_words,
)

# --- PostgreSQL ---------------------------------------------------------------


def postgres_fold_function_sql(unaccent_schema):
    """cases_search_fold(text): lower case, accents removed, joiners dropped.
    Declared IMMUTABLE so it can be indexed: unaccent() itself is only STABLE
    because its dictionary could change, so the dictionary is named with its
    schema, as PostgreSQL's documentation advises for such wrappers."""
    joiners = WORD_JOINERS.replace("'", "''")
    schema = f'"{unaccent_schema}"'
    return (
        "CREATE OR REPLACE FUNCTION cases_search_fold(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        f"SELECT translate(lower({schema}.unaccent('{unaccent_schema}.unaccent'::regdictionary, $1)), "
        f"'{joiners}', '') $$"
    )


def postgres_fold_expression(fields):
    """The indexed expression, as cases.search.SearchFold writes it."""
    joined = " || ' ' || ".join(f"COALESCE(\"{field}\", '')" for field in fields)
    return f"cases_search_fold(({joined}))"


def postgres_fold_index_sql(name, table, fields):
    return (
        f'CREATE INDEX "{name}" ON "{table}" '
        f"USING gin ({postgres_fold_expression(fields)} gin_trgm_ops)"
    )


def postgres_folded_columns_sql(table, columns):
    """Add `columns` ({name: fields}) to `table`: each the fields' folded text,
    stored (a generated column, computed by PostgreSQL on every write), with a
    trigram index. One ALTER TABLE, so the table is rewritten once."""
    added = ", ".join(
        f'ADD COLUMN "{name}" text GENERATED ALWAYS AS ({postgres_fold_expression(fields)}) STORED'
        for name, fields in columns.items()
    )
    return [
        f'ALTER TABLE "{table}" {added}',
        *[
            f'CREATE INDEX "{table}_{name}" ON "{table}" USING gin ("{name}" gin_trgm_ops)'
            for name in columns
        ],
    ]


def postgres_drop_folded_columns_sql(table, columns):
    """Undo postgres_folded_columns_sql(): a migration that changes the type
    of a field a column folds must run this first (PostgreSQL refuses to
    change a column a generated column reads) and add the column back after."""
    dropped = ", ".join(f'DROP COLUMN IF EXISTS "{name}"' for name in columns)
    return [f'ALTER TABLE "{table}" {dropped}']


# --- SQLite ---------------------------------------------------------------------

SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"


def _sqlite_text(fields, row):
    """The text of `fields` of `row` for the FTS table: as written, then, when
    it differs, once more with joiners dropped, so that both "MS 13" (two
    words) and "MS13" (one) find "MS-13"."""
    if not fields:
        return "''"
    text = "(" + " || ' ' || ".join(f"coalesce({row}.\"{field}\", '')" for field in fields) + ")"
    joined = text
    for joiner in WORD_JOINERS:
        joined = f"replace({joined}, '{joiner.replace(chr(39), chr(39) * 2)}', '')"
    return f"{text} || ' ' || (CASE WHEN {joined} <> {text} THEN {joined} ELSE '' END)"


# The function that stems the Spanish versions for their FTS5 columns
# (cases.search.spanish_stems), registered on every SQLite connection.
SQLITE_SPANISH_FUNCTION = "cases_spanish_stems"


def _sqlite_spanish_text(fields, row):
    if not fields:
        return "''"
    text = " || ' ' || ".join(f"coalesce({row}.\"{field}\", '')" for field in fields)
    return f"{SQLITE_SPANISH_FUNCTION}({text})"


def register_sqlite_functions(sender, connection, **kwargs):
    """connection_created: give a new SQLite connection the function the
    search triggers call (Python's sqlite3 can add functions, not tokenizers)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_SPANISH_FUNCTION, 1, spanish_stems, deterministic=True
        )
        connection.connection.create_function(
            SQLITE_WORDS_FUNCTION, 1, vocabulary_words, deterministic=True
        )
        connection.connection.create_function(
            SQLITE_EDIT_DISTANCE_FUNCTION, 3, edit_distance, deterministic=True
        )


def _sqlite_values(row, names, body, names_es, body_es):
    return (
        f"{_sqlite_text(names, row)}, {_sqlite_text(body, row)}, "
        f"{_sqlite_spanish_text(names_es, row)}, {_sqlite_spanish_text(body_es, row)}"
    )


def sqlite_trigger_names(table):
    return [f"{table}_search_{suffix}" for suffix in ("insert", "delete", "update")]


FTS_COLUMNS = "names, body, names_es, body_es"


def sqlite_trigger_sql(table, names, body, names_es=(), body_es=()):
    """The triggers that keep `{table}_search` in step with `table`. The FTS
    table holds no copy of the text (content=''), so a row is removed by
    giving its old values back to the 'delete' command."""
    fts = f"{table}_search"
    spanish = (names_es, body_es)
    insert_new = (
        f'INSERT INTO "{fts}"(rowid, {FTS_COLUMNS}) '
        f"VALUES (new.id, {_sqlite_values('new', names, body, *spanish)});"
    )
    delete_old = (
        f'INSERT INTO "{fts}"("{fts}", rowid, {FTS_COLUMNS}) '
        f"VALUES ('delete', old.id, {_sqlite_values('old', names, body, *spanish)});"
    )
    columns = ", ".join(f'"{field}"' for field in (*names, *body, *names_es, *body_es))
    insert, delete, update = sqlite_trigger_names(table)
    return [
        f'CREATE TRIGGER "{insert}" AFTER INSERT ON "{table}" BEGIN {insert_new} END',
        f'CREATE TRIGGER "{delete}" AFTER DELETE ON "{table}" BEGIN {delete_old} END',
        f'CREATE TRIGGER "{update}" AFTER UPDATE OF {columns} ON "{table}" '
        f"BEGIN {delete_old} {insert_new} END",
    ]


def sqlite_create_sql(table, names, body, names_es=(), body_es=()):
    """The FTS5 table, its triggers, and the rows already there. The Spanish
    columns hold the Spanish versions' stems (migration 0020)."""
    fts = f"{table}_search"
    return [
        f'CREATE VIRTUAL TABLE "{fts}" USING fts5('
        f"{FTS_COLUMNS}, content='', tokenize='{SQLITE_TOKENIZER}')",
        *sqlite_trigger_sql(table, names, body, names_es, body_es),
        *sqlite_fill_sql(table, names, body, names_es, body_es),
    ]


def sqlite_fill_sql(table, names, body, names_es=(), body_es=()):
    fts = f"{table}_search"
    row = chr(34) + table + chr(34)
    return [
        f'INSERT INTO "{fts}"("{fts}") VALUES (\'delete-all\')',
        f'INSERT INTO "{fts}"(rowid, {FTS_COLUMNS}) SELECT id, '
        f'{_sqlite_values(row, names, body, names_es, body_es)} FROM "{table}"',
    ]


def sqlite_drop_sql(table):
    return [
        *[f'DROP TRIGGER IF EXISTS "{name}"' for name in sqlite_trigger_names(table)],
        f'DROP TABLE IF EXISTS "{table}_search"',
    ]


# --- SQLite: the vocabulary of published names (did you mean) -------------------

# The function that splits a text into its distinct folded words, as a JSON
# array for json_each() (cases.search.vocabulary_words).
SQLITE_WORDS_FUNCTION = "cases_search_words"
PUBLISHED = "published"


def sqlite_vocabulary_table_sql():
    return [
        f'CREATE TABLE IF NOT EXISTS "{VOCABULARY_TABLE}" ('
        "word TEXT NOT NULL, language TEXT NOT NULL, records INTEGER NOT NULL, "
        "PRIMARY KEY (word, language)) WITHOUT ROWID"
    ]


def _plain_text(fields, row):
    return " || ' ' || ".join(f"coalesce({row}.\"{field}\", '')" for field in fields)


def _vocabulary_languages(names, names_es):
    return [(language, fields) for language, fields in (("en", names), ("es", names_es)) if fields]


def _vocabulary_add(row, names, names_es):
    """Count `row`'s words in, if it is published."""
    return [
        f'INSERT INTO "{VOCABULARY_TABLE}"(word, language, records) '
        f"SELECT value, '{language}', 1 FROM json_each({SQLITE_WORDS_FUNCTION}("
        f"{_plain_text(fields, row)})) WHERE {row}.publication_status = '{PUBLISHED}' "
        "ON CONFLICT(word, language) DO UPDATE SET records = records + 1;"
        for language, fields in _vocabulary_languages(names, names_es)
    ]


def _vocabulary_remove(row, names, names_es):
    """Count `row`'s words out, if it was published; a word no published
    record holds any more leaves the vocabulary."""
    statements = []
    for language, fields in _vocabulary_languages(names, names_es):
        words = (
            f"(SELECT value FROM json_each({SQLITE_WORDS_FUNCTION}({_plain_text(fields, row)})))"
        )
        where = f"language = '{language}' AND word IN {words}"
        statements += [
            f'UPDATE "{VOCABULARY_TABLE}" SET records = records - 1 WHERE {where} '
            f"AND {row}.publication_status = '{PUBLISHED}';",
            f'DELETE FROM "{VOCABULARY_TABLE}" WHERE {where} AND records <= 0;',
        ]
    return statements


def sqlite_vocabulary_trigger_names(table):
    return [f"{table}_vocabulary_{suffix}" for suffix in ("insert", "delete", "update")]


def sqlite_vocabulary_trigger_sql(table, names, names_es=()):
    """The triggers that keep the vocabulary in step with `table`'s published
    names, beside the search index's own (sqlite_trigger_sql)."""
    insert, delete, update = sqlite_vocabulary_trigger_names(table)
    columns = ", ".join(f'"{field}"' for field in ("publication_status", *names, *names_es))
    add = " ".join(_vocabulary_add("new", names, names_es))
    remove = " ".join(_vocabulary_remove("old", names, names_es))
    return [
        f'CREATE TRIGGER "{insert}" AFTER INSERT ON "{table}" BEGIN {add} END',
        f'CREATE TRIGGER "{delete}" AFTER DELETE ON "{table}" BEGIN {remove} END',
        f'CREATE TRIGGER "{update}" AFTER UPDATE OF {columns} ON "{table}" '
        f"BEGIN {remove} {add} END",
    ]


def sqlite_vocabulary_fill_sql(table, names, names_es=()):
    """Count the published names of `table` already there into the vocabulary."""
    return [
        f'INSERT INTO "{VOCABULARY_TABLE}"(word, language, records) '
        f"SELECT words.value, '{language}', count(*) FROM \"{table}\" AS record, "
        f"json_each({SQLITE_WORDS_FUNCTION}({_plain_text(fields, 'record')})) AS words "
        f"WHERE record.publication_status = '{PUBLISHED}' GROUP BY words.value "
        "ON CONFLICT(word, language) DO UPDATE SET records = records + excluded.records"
        for language, fields in _vocabulary_languages(names, names_es)
    ]


def sqlite_vocabulary_drop_sql(table):
    return [f'DROP TRIGGER IF EXISTS "{name}"' for name in sqlite_vocabulary_trigger_names(table)]


def vocabulary_kinds():
    """(table, name fields, Spanish name fields) of every kind whose names
    search suggests from, as the QuerySets declare them today."""
    return [
        (model._meta.db_table, names, names_es)
        for model, names, _body, names_es, _body_es in searchable_models()
        if names
    ]


def sqlite_vocabulary_rebuild_sql(kinds):
    """The vocabulary made again from the records: triggers and rows."""
    statements = [
        *sqlite_vocabulary_table_sql(),
        *[statement for table, *_ in kinds for statement in sqlite_vocabulary_drop_sql(table)],
        f'DELETE FROM "{VOCABULARY_TABLE}"',
    ]
    for table, names, names_es in kinds:
        statements += sqlite_vocabulary_trigger_sql(table, names, names_es)
        statements += sqlite_vocabulary_fill_sql(table, names, names_es)
    return statements


def searchable_models():
    """(model, name fields, other fields, Spanish name fields, other Spanish
    fields) of every kind search looks in, as the QuerySets declare them today."""
    from django.apps import apps

    kinds = []
    for model in apps.get_app_config("cases").get_models():
        queryset = model._default_manager.all()
        fields = tuple(getattr(queryset, "search_fields", ()))
        if fields:
            names = tuple(queryset.search_name_fields)
            body = tuple(field for field in fields if field not in names)
            kinds.append(
                (model, names, body, spanish_fields(names, model), spanish_fields(body, model))
            )
    return kinds


def check_sqlite_search_index(using="default", **kwargs):
    """After `migrate` on SQLite: put back the triggers of any table a later
    migration rebuilt, and refill its index from the records."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'table')")
        existing = {row[0] for row in cursor.fetchall()}
        for model, *fields in searchable_models():
            table = model._meta.db_table
            if f"{table}_search" not in existing:
                # Before migration 0011 (or after it was reversed).
                continue
            if all(name in existing for name in sqlite_trigger_names(table)):
                continue
            for statement in sqlite_drop_sql(table)[:-1]:
                cursor.execute(statement)
            refill = [*sqlite_trigger_sql(table, *fields), *sqlite_fill_sql(table, *fields)]
            for statement in refill:
                cursor.execute(statement)
        # The vocabulary (migration 0023 on): counted across kinds, so a
        # rebuilt table's triggers are put back with the whole vocabulary.
        if VOCABULARY_TABLE not in existing:
            return
        kinds = vocabulary_kinds()
        if all(
            name in existing
            for table, *_ in kinds
            for name in sqlite_vocabulary_trigger_names(table)
        ):
            return
        for statement in sqlite_vocabulary_rebuild_sql(kinds):
            cursor.execute(statement)
