"""Search that forgives, the same on PostgreSQL and SQLite.

A reader types words; a record matches when every word is found in it:

- in the record's own text, whatever the accents, the case, or the hyphens
  and full stops inside words ("Maria Elvira Salazar" finds "María Elvira
  Salazar"; "MS13", "MS 13" and "MS-13" find "MS-13"; "US" finds "U.S."),
  and in other forms of the word (stemming: "deporting" finds "deported",
  "paid" finds "payments");
- or in the name of a record it is linked to that the reader may see ("CECOT"
  finds the detainee group held at CECOT and the statement made there);
- or in the record's Spanish versions (the `_es` fields), stemmed as Spanish
  ("deportados" finds "deportación", "pago" finds "pagos").

How each database does it:

- PostgreSQL: `cases_search_fold(text)` (migration 0011: lower case, accents
  removed with the unaccent extension, joiners removed) over the kind's search
  fields, stored with each record (migration 0024) and matched as a substring
  through a trigram index on it; plus the full-text search vector of
  migrations 0004/0005 for stemming.

Each word's branches (the substring, each full-text configuration, each link)
are read by their own index and combined by key, `id IN (... UNION ALL ...)`,
on both databases: an OR of them in one WHERE clause made the database read
every row of the table (820 ms for "hospital" at 100,000 transfers).
- SQLite: an FTS5 table per kind (migration 0011, kept up to date by
  triggers), tokenised with `porter unicode61 remove_diacritics 2`: each word
  is matched as a word prefix, stemmed. Words are matched from their start, so
  SQLite does not find a word from its middle ("alvador") as PostgreSQL does.

Spanish: PostgreSQL matches the Spanish versions folded as above and through
its `spanish` text search configuration (Snowball's Spanish stemmer; migration
0020 indexes it). Not after unaccent: PostgreSQL's stemmer does not stem
"deportacion" as it stems "deportación", so the words as typed are stemmed,
and a word typed without its accents is found folded, in its own form. SQLite cannot be given a tokenizer from Python, so
the Spanish text is stemmed in Python (snowballstemmer, the same Snowball
algorithm) by a function registered on every connection, `cases_spanish_stems`,
which the triggers call to fill two more FTS5 columns; the query is stemmed
the same way.

Related records are looked up through `visible_to(user)`, never the default
manager, so a draft's name cannot be recovered by searching for it.

Did you mean: a search that finds nothing is offered the closest words of
published records' names (titles, names, aliases, short names, in English and
in their Spanish versions). PostgreSQL finds the names close to a typed word
with pg_trgm's word similarity over the trigram indexes; SQLite keeps a
vocabulary table of those words (migration 0023, `cases_search_vocabulary`:
word, language, how many published records hold it), maintained by triggers
beside the FTS5 index's, that only ever holds a published record's words, and
matches a typed word by a small edit distance. On both, the names compared
come from `published()` records only, so no draft's word is ever suggested.
"""

import difflib
import functools
import json
import re
import threading
import unicodedata

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import BooleanField, Count, Func, Q, TextField, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils.html import escape
from django.utils.safestring import mark_safe

# The SQLite vocabulary of published records' names, and the function that
# measures how far one of its words is from a typed one (search_index.py).
VOCABULARY_TABLE = "cases_search_vocabulary"
SQLITE_EDIT_DISTANCE_FUNCTION = "cases_edit_distance"
# Search text is capped so a pasted essay cannot build a huge query.
SEARCH_TEXT_MAX_LENGTH = 200
# At most this many words are matched; further words are ignored.
SEARCH_MAX_WORDS = 12
# At most this many related records (e.g. speakers) a word can match by name.
RELATED_MATCHES_MAX = 1000
# Marks a reader may wrap a phrase in; stripped before matching because the
# records themselves use typographic quotation marks.
QUOTATION_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"
# Characters dropped from inside words before matching, in the records and in
# the query alike: hyphens and dashes ("MS-13"), full stops ("U.S."),
# apostrophes ("world’s"). Migration 0011 writes the same list into SQL.
WORD_JOINERS = "-\u2010\u2011\u2012\u2013\u2014\u2015.'\u2019`\u00b7"
_DROP_JOINERS = str.maketrans("", "", WORD_JOINERS)
# Irregular forms a stemmer does not bring back to their root, with the forms
# they stand for, each matched as a word prefix: "paid" finds "pay", "pays"
# and "payments". (The noun is listed too because SQLite's Porter stemmer
# turns the prefix "pay" into "pai", which "payment" does not start with.)
IRREGULAR_FORMS = {
    "paid": ("pay", "payment"),
    "sent": ("send",),
    "held": ("hold",),
    "kept": ("keep",),
    "brought": ("bring",),
    "bought": ("buy",),
    "made": ("make",),
    "said": ("say",),
    "told": ("tell",),
    "met": ("meet", "meeting"),
    "flew": ("fly", "flight"),
    "flown": ("fly", "flight"),
    "took": ("take",),
    "taken": ("take",),
    "gave": ("give",),
    "given": ("give",),
    "fled": ("flee",),
    "caught": ("catch",),
    "sought": ("seek",),
    "led": ("lead",),
    "left": ("leave",),
    "lost": ("lose", "loss"),
    "found": ("find",),
    "began": ("begin",),
    "begun": ("begin",),
    "came": ("come",),
    "went": ("go",),
    "knew": ("know",),
    "known": ("know",),
    "spoke": ("speak", "speech"),
    "spoken": ("speak", "speech"),
    "wrote": ("write",),
    "written": ("write",),
    "chose": ("choose", "choice"),
    "chosen": ("choose", "choice"),
}
# Endings trimmed from a query word to find the other forms of it to mark in
# the results (the databases stem properly; this only guides the highlight).
_HIGHLIGHT_SUFFIXES = ("ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "s")
_TOKEN = re.compile(r"[^\W_]+")
# The accents NFKD splits off letters (Latin, Greek, Cyrillic).
_COMBINING_MARKS = re.compile("[\u0300-\u036f]")
# How much of a long text (a source's) is looked through for an excerpt.
EXCERPT_SCAN_CHARACTERS = 20_000


def clean_search_text(text):
    """The query as we search for it: control characters (PostgreSQL rejects
    NUL; lone surrogates cannot be encoded) turned into spaces, white space
    collapsed, at most SEARCH_TEXT_MAX_LENGTH characters."""
    text = "".join(char if char.isprintable() else " " for char in str(text or ""))
    return " ".join(text.split())[:SEARCH_TEXT_MAX_LENGTH].strip()


def fold(text):
    """`text` as search compares it: accents removed, lower case, joiners
    dropped. (PostgreSQL's cases_search_fold() does the same in the database.)"""
    bare = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", str(text)))
    return bare.lower().translate(_DROP_JOINERS)


_stemmers = threading.local()


def spanish_stems(text):
    """`text` folded, each word brought to its Spanish stem ("Deportación de
    migrantes" -> "deport de migrant"), as the Spanish FTS5 columns on SQLite
    hold it. Snowball's stemmers keep state while they work: one per thread."""
    stemmer = getattr(_stemmers, "spanish", None)
    if stemmer is None:
        stemmer = _stemmers.spanish = snowballstemmer.stemmer("spanish")
    return " ".join(stemmer.stemWords(_TOKEN.findall(fold(text or ""))))


def search_words(text):
    """The words of a query, folded; a word with no letter or digit in it
    ("&", "-") matches nothing useful and is left out."""
    words = []
    for raw in clean_search_text(text).split():
        word = fold(raw.strip(QUOTATION_MARKS))
        if _TOKEN.search(word) and word not in words:
            words.append(word)
    return words[:SEARCH_MAX_WORDS]


# --- The databases' side --------------------------------------------------------


class SearchFold(Func):
    """cases_search_fold(coalesce(a, '') || ' ' || coalesce(b, '') ...): the
    fields of a record as one folded text, written exactly as the trigram
    indexes of migration 0011 are, so PostgreSQL uses them."""

    function = "cases_search_fold"
    output_field = TextField()

    def __init__(self, *fields):
        joined = Func(
            *[Func(field, template="COALESCE(%(expressions)s, '')") for field in fields],
            arg_joiner=" || ' ' || ",
            template="(%(expressions)s)",
            output_field=TextField(),
        )
        super().__init__(joined)


# A word of a name as suggestions compare it: what _closest_word() splits a
# name into (joiners inside a word kept, then folded away).
_NAME_WORD = re.compile(r"[^\W_](?:[\w.'’-]*[^\W_])?")


def vocabulary_words(text):
    """The distinct folded words of `text`, as a JSON array: what the SQLite
    vocabulary of published names holds (search_index.py; SQLite's
    json_each() turns it into rows inside a trigger)."""
    words = {fold(token) for token in _NAME_WORD.findall(text or "")}
    return json.dumps(sorted(word for word in words if word))


def edit_distance(first, second, limit):
    """Levenshtein distance of two words, or `limit` + 1 once it is sure to
    be more than `limit` (a misspelling is a letter or two away)."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, 1):
        current = [i]
        for j, other in enumerate(second, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def fts_table(model):
    """The SQLite FTS5 table that indexes `model` (migration 0011)."""
    return f"{model._meta.db_table}_search"


def _fts_word(word):
    """An FTS5 query for one folded word: its tokens as a phrase, the last one
    a prefix ("ms13" -> "ms13"*), or'ed with the forms an irregular one stands for."""
    tokens = _TOKEN.findall(word)
    phrases = [f'"{" ".join(tokens)}"*', *[f'"{form}"*' for form in IRREGULAR_FORMS.get(word, ())]]
    return f"({' OR '.join(phrases)})"


def _fts_spanish_word(word):
    """An FTS5 query for one folded word in the Spanish columns: its stems as
    a phrase, the last one a prefix."""
    return f'"{spanish_stems(word)}"*'


def _fts_own_text(word):
    return (
        f"({{names body}} : {_fts_word(word)}) "
        f"OR ({{names_es body_es}} : {_fts_spanish_word(word)})"
    )


def _fts_names(word):
    return f"({{names}} : {_fts_word(word)}) OR ({{names_es}} : {_fts_spanish_word(word)})"


# PostgreSQL's own Spanish configuration (Snowball's stemmer), which migration
# 0020 indexes the Spanish versions with.
SPANISH_CONFIG = "spanish"


def _postgres_word_query(word):
    query = SearchQuery(word, search_type="plain", config="english")
    for form in IRREGULAR_FORMS.get(word, ()):
        query |= SearchQuery(f"{form}:*", search_type="raw", config="english")
    return query


def spanish_fields(fields, model):
    """The Spanish versions (`<field>_es`) of those of `fields` that have one."""
    versions = getattr(model, "spanish_versions", ())
    return tuple(f"{name}_es" for name in fields if name in versions)


def is_postgresql(queryset):
    return connections[queryset.db].vendor == "postgresql"


# The columns migration 0024 stores each record's folded search text in, and
# that of its Spanish versions (PostgreSQL only; not model fields: the
# database computes them).
FOLDED_COLUMN = "search_folded"
FOLDED_COLUMN_ES = "search_folded_es"


def _stored_column(model, column):
    """One of those columns, in a query of `model`'s table alone (whose
    table is then not aliased: the query is used as SQL, see _sql())."""
    return RawSQL(f'"{model._meta.db_table}"."{column}"', (), output_field=TextField())


def own_text_match(queryset, word, spelled=None):
    """On PostgreSQL, (records, Q): the records of `queryset`'s table, alone
    (a query to be written into another as SQL, see _sql()), with the
    aliases that Q needs, and Q: `word` is in their own search fields (see
    the module's docstring). Each part of it is answered by an index: the
    folded text as a substring (trigram), the English search vector and, for
    a kind with Spanish versions, theirs folded and their Spanish search
    vector; or'ed, PostgreSQL combines the indexes (a bitmap OR) and reads
    each matching row once. `spelled` is the word as typed, accents kept:
    PostgreSQL's Spanish stemmer stems "deportación" as "deportados" but not
    "deportacion" (an accentless word is still found in its own form, folded)."""
    model = queryset.model
    fields = queryset.search_fields
    records = model._default_manager.order_by().alias(
        folded=_stored_column(model, FOLDED_COLUMN),
        vector=SearchVector(*fields, config="english"),
    )
    substrings = Q(folded__contains=word)
    stems = Q(vector=_postgres_word_query(word))
    spanish = spanish_fields(fields, model)
    if spanish:
        records = records.alias(
            folded_es=_stored_column(model, FOLDED_COLUMN_ES),
            vector_es=SearchVector(*spanish, config=SPANISH_CONFIG),
        )
        query = SearchQuery(spelled or word, search_type="plain", config=SPANISH_CONFIG)
        substrings |= Q(folded_es__contains=word)
        stems |= Q(vector_es=query)
    # In this order: PostgreSQL checks each row the indexes found against
    # the whole OR, left to right, and a search vector is computed from the
    # text each time (40 µs a row), where the stored text is a plain LIKE.
    return records, substrings | stems


def _sql(queryset, using):
    """(sql, params) of `queryset` on database `using`, to write into another query."""
    return queryset.query.get_compiler(using=using).as_sql()


def name_matches(queryset, word):
    """Q: `word` is in the records' names (for records linked to a result)."""
    if is_postgresql(queryset):
        match = Q(search_names__contains=word)
        if spanish_fields(queryset.search_name_fields, queryset.model):
            match |= Q(search_names_es__contains=word)
        return match
    table = fts_table(queryset.model)
    query = _fts_names(word)
    return Q(pk__in=RawSQL(f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s', [query]))


def with_search_aliases(queryset):
    """On PostgreSQL, the folded names the trigram indexes of migrations 0011
    and 0020 hold, as aliases for name_matches()."""
    if not is_postgresql(queryset):
        return queryset
    aliases = {}
    if queryset.search_name_fields:
        aliases["search_names"] = SearchFold(*queryset.search_name_fields)
    spanish_names = spanish_fields(queryset.search_name_fields, queryset.model)
    if spanish_names:
        aliases["search_names_es"] = SearchFold(*spanish_names)
    return queryset.alias(**aliases)


class Search:
    """One reader's search: the words, and the records linked to results that
    each word names, looked up once however many kinds and facets ask."""

    def __init__(self, text, user):
        self.text = clean_search_text(text)
        self.words = search_words(self.text)
        # Each folded word as typed, lower case, accents kept.
        self.spelled = {}
        for raw in self.text.split():
            self.spelled.setdefault(
                fold(raw.strip(QUOTATION_MARKS)), raw.strip(QUOTATION_MARKS).lower()
            )
        self.user = user
        self._named = {}

    def __bool__(self):
        return bool(self.words)

    def named(self, model, word):
        """Ids of the records of `model` the reader may see whose names hold
        `word` (at most RELATED_MATCHES_MAX)."""
        key = (model, word)
        if key not in self._named:
            visible = with_search_aliases(model.objects.visible_to(self.user))
            matching = visible.filter(name_matches(visible, word)).order_by()
            self._named[key] = list(matching.values_list("pk", flat=True)[:RELATED_MATCHES_MAX])
        return self._named[key]

    def name_all(self, queryset):
        """Look up, in one UNION query, the linked records each word names
        for every relation `queryset` searches through (rather than one query
        per linked kind and word): a table page's query count stays flat."""
        pairs = []
        for relation in queryset.search_relations:
            model = queryset.model._meta.get_field(relation).related_model
            for word in self.words:
                if (model, word) not in self._named and (model, word) not in pairs:
                    pairs.append((model, word))
        if len(pairs) < 2:
            return
        # PostgreSQL can cap each branch of a UNION; SQLite cannot, so there
        # the cap is applied to the rows read.
        capped = connections[queryset.db].features.supports_slicing_ordering_in_compound
        parts = []
        for position, (model, word) in enumerate(pairs):
            visible = with_search_aliases(model.objects.visible_to(self.user))
            part = (
                visible.filter(name_matches(visible, word))
                .order_by()
                .values_list(Value(position), "pk")
            )
            parts.append(part[:RELATED_MATCHES_MAX] if capped else part)
        found = {pair: [] for pair in pairs}
        for position, pk in parts[0].union(*parts[1:], all=True):
            ids = found[pairs[position]]
            if len(ids) < RELATED_MATCHES_MAX:
                ids.append(pk)
        self._named.update(found)

    def linked_records(self, limit):
        """Some of the linked records whose names the words matched (one
        query per kind that has any), to tell the reader why a record with
        none of the words in it was found."""
        # Each kind's keys once, in the order found (a dict: a common word
        # names 1,000 records, and a list's `in` compared each with each).
        ids = {}
        for (model, _word), pks in self._named.items():
            ids.setdefault(model, {}).update(dict.fromkeys(pks))
        records = []
        for model, keys in ids.items():
            pks = list(keys)
            if pks and len(records) < limit:
                visible = model.objects.visible_to(self.user).filter(pk__in=pks[:limit])
                records.extend(visible.order_by("pk")[: limit - len(records)])
        return records

    def condition(self, queryset):
        """Q for the records of `queryset` that match every word."""
        if not self.words:
            return Q(pk__in=[])
        self.name_all(queryset)
        match = Q()
        for word in self.words:
            match &= self._word_condition(queryset, word)
        return match

    def _word_condition(self, queryset, word):
        """`pk IN (... UNION ALL ...)` of the records whose own text holds
        the word and of those linked to a record it names: the database reads
        each part through its index, builds the set of ids once and looks the
        rows up by key, where an OR of them all in the query's WHERE made it
        read every row of the table. On SQLite the own text is the FTS5
        table's; on PostgreSQL, one query of the kind's table matches its own
        text and its foreign keys (one read of each matching row, see
        own_text_match()), and each many-to-many link is a part of its own."""
        model = queryset.model
        linked = [
            (field, ids)
            for field, ids in (
                self._named_by(model._meta.get_field(relation), word)
                for relation in queryset.search_relations
            )
            if ids
        ]
        parts = []
        if is_postgresql(queryset):
            records, own_text = own_text_match(queryset, word, self.spelled.get(word))
            # The keys first: each row found is checked against the whole OR,
            # left to right, and a key is the cheapest test (a transfer found
            # by its agreement computed both search vectors before: 10 ms for
            # "hospital" at 100,000 transfers).
            match = Q()
            for field, ids in linked:
                if field.many_to_one:
                    match |= _key_in(model, field, ids, queryset.db)
            parts.append(records.filter(match | own_text).values_list("pk", flat=True))
            linked = [(field, ids) for field, ids in linked if not field.many_to_one]
        for field, ids in linked:
            parts.append(_linked_records(model, field, ids, queryset.db))
        sql_and_params = [_sql(part, queryset.db) for part in parts]
        if not is_postgresql(queryset):
            table = fts_table(model)
            fts = f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s'
            sql_and_params.insert(0, (fts, (_fts_own_text(word),)))
        sql = " UNION ALL ".join(part for part, _params in sql_and_params)
        params = [param for _part, part_params in sql_and_params for param in part_params]
        return Q(pk__in=RawSQL(sql, params))

    def _named_by(self, field, word):
        """(field, ids of the records it links to that the word names)."""
        return field, self.named(field.related_model, word)


def _key_in(model, field, ids, using):
    """Q: foreign key `field` of `model` (in a query of its table alone, see
    _sql()) holds one of `ids`. On PostgreSQL one array (`= ANY(%s)`), not a
    placeholder per key: a common word names 1,000 records, and each
    placeholder was resolved, bound and parsed again for every kind that
    links to them (a tenth of the search page's Python for "hospital")."""
    if connections[using].vendor != "postgresql":
        return Q(**{f"{field.attname}__in": ids})
    column = f'"{model._meta.db_table}"."{field.column}"'
    return Q(RawSQL(f"{column} = ANY(%s)", (list(ids),), output_field=BooleanField()))


def _linked_records(model, field, ids, using):
    """The ids of the records of `model` linked by `field` to any of `ids`."""
    if field.many_to_one:
        owners = model._default_manager.filter(_key_in(model, field, ids, using))
        return owners.order_by().values_list("pk", flat=True)
    # A many-to-many link: the records linked to those, by their link table
    # (a join would repeat a record once per matching link).
    through = field.remote_field.through
    other = through._meta.get_field(field.m2m_reverse_field_name())
    owners = through.objects.filter(_key_in(through, other, ids, using)).order_by()
    return owners.values_list(f"{field.m2m_field_name()}_id", flat=True)


def first_matches(querysets, limit):
    """{position in `querysets`: (keys, total)}: the keys of the first
    `limit` records of each queryset (of several kinds, each a search's
    matches) in its order, and how many records it holds; a queryset with
    none is left out. One query, of keys alone: a results page's query
    sorted whole rows, and counted them in a window over whole rows, so a
    common word ("hospital": 10,000 transfers, as many detainee groups)
    spent most of its time carrying columns it then dropped; here the
    windows see a key and the sort columns, and the page loads its few rows
    by key. Each kind's rows are numbered (ROW_NUMBER) rather than sorted
    and cut (ORDER BY ... LIMIT): with a LIMIT, PostgreSQL's planner took a
    count over every row for one it could stop early, and walked an index
    in order testing each row against every match (12 s for an editor's
    "synthetic statement"). PostgreSQL only (None elsewhere: SQLite keeps
    one query a kind)."""
    if not querysets:
        return {}
    if connections[querysets[0].db].vendor != "postgresql":
        return None
    parts = []
    for position, queryset in enumerate(querysets):
        # The order the page lists them in (a listing's own, or the model's).
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        numbered = queryset.prefetch_related(None).annotate(
            search_total=Window(Count("pk")),
            search_row=Window(RowNumber(), order_by=list(ordering)),
        )
        parts.append(
            numbered.filter(search_row__lte=limit)
            .order_by()
            .values_list(Value(position), "pk", "search_total", "search_row")
        )
    found = {}
    rows = parts[0].union(*parts[1:], all=True)
    for position, pk, total, _row in sorted(rows, key=lambda row: (row[0], row[3])):
        keys, _total = found.setdefault(position, ([], total))
        keys.append(pk)
    return found


# --- Did you mean ------------------------------------------------------------

# At most this many names per kind are compared with a misspelt word: the
# ones PostgreSQL's trigram index finds close to it, or on SQLite the ones
# holding a word its vocabulary of published names finds close to it.
SUGGESTION_NAMES_MAX = 2000
# How alike (0-1, difflib's ratio) a word of a name must be to a typed word
# to be suggested for it: "bukle" and "bukele" are 0.91, "salvadr" and
# "salvador" 0.93, "cecot" and "coast" 0.4.
SUGGESTION_MIN_SIMILARITY = 0.75
SUGGESTED_NAMES_SHOWN = 3


# pg_trgm's word similarity a name must reach to be compared at all (its
# default, 0.6, leaves out "migrnts" for "migrants", at 0.55).
TRIGRAM_WORD_THRESHOLD = 0.4


class WordSimilar(Func):
    """`word <% text`: PostgreSQL's pg_trgm word similarity above its
    threshold (TRIGRAM_WORD_THRESHOLD), which the trigram indexes on folded
    names answer."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


# The SQLite vocabulary of published names (search_index.py): the words
# within this many edits of a typed word (one per four letters, at least one)
# are the candidates, at most this many of them.
VOCABULARY_CANDIDATES_MAX = 5


def _vocabulary_near(using, word, language):
    """The words of published records' names, in the reader's languages
    (Spanish readers also meet the English names no one translates), within
    a small edit distance of `word`, closest first."""
    limit = max(1, len(word) // 4)
    languages = ("es", "en") if language == "es" else ("en",)
    marks = ", ".join(["%s"] * len(languages))
    distance = f"{SQLITE_EDIT_DISTANCE_FUNCTION}(word, %s, %s)"
    with connections[using].cursor() as cursor:
        cursor.execute(
            f'SELECT DISTINCT word, {distance} AS distance FROM "{VOCABULARY_TABLE}" '
            f"WHERE language IN ({marks}) AND length(word) BETWEEN %s AND %s "
            f"AND {distance} <= %s ORDER BY distance, word LIMIT %s",
            [
                word,
                limit,
                *languages,
                len(word) - limit,
                len(word) + limit,
                word,
                limit,
                limit,
                VOCABULARY_CANDIDATES_MAX,
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def _names_near(model, word, language, near_words=None):
    """The names of `model`'s published records (never a draft's), in
    `language` where a Spanish version is written, that may be close to
    `word`: [(name, record)]. PostgreSQL finds them with its trigram index;
    SQLite through `near_words`, the vocabulary's words close to `word`."""
    queryset = model._default_manager.published()
    fields = tuple(queryset.search_name_fields)
    if not fields:
        return []
    spanish = spanish_fields(fields, model) if language == "es" else ()
    if is_postgresql(queryset):
        near = Q(WordSimilar(Value(word), SearchFold(*fields)))
        if spanish:
            near |= Q(WordSimilar(Value(word), SearchFold(*spanish)))
        queryset = queryset.filter(near)
    else:
        if not near_words:
            return []
        table = fts_table(model)
        query = " OR ".join(f"({_fts_names(near)})" for near in near_words)
        queryset = queryset.filter(
            pk__in=RawSQL(f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s', [query])
        )
    rows = queryset.order_by("pk").values("pk", *fields, *spanish)[:SUGGESTION_NAMES_MAX]
    names = []
    for row in rows:
        for field in fields:
            value = row.get(f"{field}_es") or row[field] or ""
            names.extend(
                (name.strip(), (model, row["pk"])) for name in value.splitlines() if name.strip()
            )
    return names


def _set_trigram_threshold(models):
    """The threshold of `<%` for this connection (a session setting: the
    requests run outside a transaction; only this code uses the operator)."""
    connection = connections[models[0]._default_manager.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [str(TRIGRAM_WORD_THRESHOLD)],
            )


def _closest_word(word, names):
    """(similarity, the word of a name closest to `word`, its name, record)."""
    best = (0.0, None, None, None)
    for name, record in names:
        for token in _NAME_WORD.findall(name):
            folded = fold(token)
            if folded == word:
                return (1.0, token, name, record)
            ratio = difflib.SequenceMatcher(None, word, folded).ratio()
            if ratio > best[0]:
                best = (ratio, token, name, record)
    return best


def suggestions(search, models, language):
    """For a search that found nothing: the query with each word no name
    holds replaced by the closest word of a published record's name, and the
    names it comes from with their records ([(name, record)]), or (None, [])."""
    corrected, named, changed = [], [], False
    _set_trigram_threshold(models)
    for raw in search.text.split():
        word = fold(raw.strip(QUOTATION_MARKS))
        if not _TOKEN.search(word):
            continue
        near_words = None
        if not is_postgresql(models[0]._default_manager.all()):
            near_words = _vocabulary_near(models[0]._default_manager.db, word, language)
        names = [
            pair for model in models for pair in _names_near(model, word, language, near_words)
        ]
        similarity, token, name, record = _closest_word(word, names)
        if similarity >= SUGGESTION_MIN_SIMILARITY and similarity < 1.0:
            corrected.append(token)
            changed = True
            if (name, *record) not in named:
                named.append((name, *record))
        else:
            corrected.append(raw)
    if not changed:
        return None, []
    records = [
        (name, model._default_manager.published().filter(pk=pk).first())
        for name, model, pk in named[:SUGGESTED_NAMES_SHOWN]
    ]
    return " ".join(corrected), [(name, record) for name, record in records if record]


# --- Highlighting ----------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def highlight_terms(query):
    """Folded strings to mark in the results: each word, the root of an
    irregular form, and the word without a common ending (so "deporting"
    marks "deported", as the database's stemming found it). Remembered: a
    page of results asks for them once per text it marks."""
    terms = set()
    for word in search_words(query):
        terms.add(word)
        terms.update(IRREGULAR_FORMS.get(word, ()))
        for suffix in _HIGHLIGHT_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                terms.add(word[: -len(suffix)])
                break
    return tuple(sorted(terms, key=len, reverse=True))


# fold() of one character, remembered: match_spans() folds a text character
# by character, and its characters repeat (a page of results marked 1,000
# texts; folding each character anew took most of its rendering time).
_fold_char = functools.lru_cache(maxsize=4096)(fold)


def match_spans(text, query):
    """(start, end) of each word of `text` that a word of `query` matches, as
    search matched it (accents, case and joiners aside), merged and in order."""
    return list(_match_spans(text, query))


# A result's text is looked through several times, one after the other (for
# the field its excerpt comes from, its language, the excerpt itself): the
# spans of the last few texts are remembered.
@functools.lru_cache(maxsize=32)
def _match_spans(text, query):
    terms = highlight_terms(query)
    if not text or not terms:
        return ()
    whole = fold(text)
    if not any(term in whole for term in terms):
        return ()
    pieces = list(map(_fold_char, text))
    folded = "".join(pieces)
    # The position in `text` of each folded character.
    origin = [position for position, piece in enumerate(pieces) for _char in piece]
    spans = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            begin, end = origin[start], origin[start + len(term) - 1] + 1
            # The whole word: "pay" in "payments" marks "payments".
            while begin > 0 and text[begin - 1].isalnum():
                begin -= 1
            while end < len(text) and text[end].isalnum():
                end += 1
            spans.append((begin, end))
            start = folded.find(term, start + 1)
    merged = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return tuple(merged)


def highlight(text, query):
    """`text`, escaped, with each matched word in a <mark>. Marks are placed
    in the text before it is escaped, so a mark never splits an entity
    (&quot;) and never carries a quotation mark that is not part of a word."""
    text = str(text or "")
    pieces, position = [], 0
    for begin, end in match_spans(text, query):
        pieces.append(escape(text[position:begin]))
        pieces.append(f"<mark>{escape(text[begin:end])}</mark>")
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def excerpt_around_match(text, query, words=30):
    """About `words` words of `text`, starting a little before the first
    match (with an ellipsis where text was left out), or its start."""
    text = str(text or "")[:EXCERPT_SCAN_CHARACTERS]
    spans = match_spans(text, query)
    parts = text.split()
    # A few words of context before the first match.
    start = max(len(text[: spans[0][0]].split()) - 5, 0) if spans else 0
    shown = " ".join(parts[start : start + words])
    prefix = "… " if start else ""
    suffix = " …" if start + words < len(parts) else ""
    return prefix + shown + suffix
