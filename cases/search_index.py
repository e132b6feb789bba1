"""The database objects search needs (see cases/search.py), as SQL.

Used by migrations 0011, 0020 and 0022, which give each function the field
lists of their day, and after every `migrate` by check_sqlite_search_index()
(cases/apps.py): on SQLite, a later migration that rebuilds a table (Django
copies it to a new table and drops the old one) drops that table's triggers
with it, and the search index would silently stop following the records.
"""

from .search import WORD_JOINERS, spanish_fields, spanish_stems

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
