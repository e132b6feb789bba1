"""One cache key for every response kept in a cache: pages, feeds, facet
counts, and whatever else is computed once per version of the data (briefs,
exports, the API).

A response depends on nothing but:
- its route (scheme, host and path: feeds carry absolute links),
- the GET parameters its view reads (`params_read`), normalised: sorted by
  name, each name's values in the order given. Any other parameter is taken
  off the request before the view runs (see `understood_query`), so a junk
  parameter (`?utm_source=`, `?x=1`) can neither bypass the cache nor change
  what the page shows;
- the reader's language and visibility class (published only, or drafts too);
- the code (a fingerprint of code, templates and translations);
- the versions of the tables it reads (`tables_read`), taken from the
  database that renders it: a table page of transfers reads the transfers,
  the kinds its rows name, and what every record shows (sources, citations,
  figures, claimants), so a correction to an event leaves it cached.

An as-of response keys on its `as_of` parameter and on today's versions of
what it reads, not only on the history before its moment: a record can be
published, withdrawn or have its history re-stamped later (load_seed stamps
history rows with the records' own times), and each of those changes what
an as-of page shows.
"""

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from django.db import router
from django.http import QueryDict
from django.utils import translation

from . import data_version
from .history import AS_OF_PARAM
from .kinds import KINDS
from .models import Actor, Source, TableVersion
from .querysets import sees_drafts

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What every record shows whatever its kind: its sources, and the actors its
# claims are attributed to. Their tables are read by every record's page.
SHOWN_BY_EVERY_RECORD = (Source, Actor)
# URL name endings of a kind's routes, and whether they show one record (and
# what links to it) or a table of them.
TABLE_ROUTES = ("_list", "_table_brief")
RECORD_ROUTES = ("_detail", "_brief")


@cache
def code_fingerprint():
    """A digest of the code, templates and translations, so a deploy that
    changes how pages look does not serve pages cached by the previous release
    (Redis outlives the workers). Computed once per process, the same in every worker."""
    digest = hashlib.blake2b(digest_size=6)
    sources = (("cases", "*.py"), ("tracker", "*.py"), ("templates", "*.html"), ("locale", "*.po"))
    for folder, pattern in sources:
        for path in sorted((PROJECT_ROOT / folder).rglob(pattern)):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def visibility_class(user):
    """Which records the reader's pages show: the published ones or drafts too."""
    return "drafts" if sees_drafts(user) else "public"


# --- The parameters a view reads ----------------------------------------------


def reads_params(*names):
    """Declare the GET parameters a function view reads; the others are
    taken off its requests (see the module's docstring)."""

    def declare(view):
        view.params_read = frozenset(names)
        return view

    return declare


def params_read(match):
    """The GET parameters the matched view reads, or None when it does not
    say (then every parameter is kept, and is part of the key)."""
    if match is None:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is not None and hasattr(view_class, "params_read_by"):
        return view_class.params_read_by(**match.func.view_initkwargs)
    return getattr(match.func, "params_read", None)


def understood_query(request):
    """The request's GET parameters the view reads, sorted by name: what the
    view is given, what its links carry on, and what the key holds."""
    known = params_read(request.resolver_match)
    if known is None:
        return request.GET
    pairs = [
        (name, value)
        for name in sorted(set(request.GET) & known)
        for value in request.GET.getlist(name)
    ]
    return QueryDict(urlencode(pairs), encoding=request.GET.encoding)


def keep_only_params_read(request):
    """Take the parameters the view does not read off the request, so that
    neither the view nor its links see them."""
    query = understood_query(request)
    if query is not request.GET:
        request.GET = query
        request.META["QUERY_STRING"] = query.urlencode()


# --- The tables a response reads -----------------------------------------------


def _owner(model):
    """The kind model a table belongs to: a kind's own table, its history,
    its many-to-many links and rows tied to it alone (an actor's
    designations). None for tables every record reads (citations, figures,
    sources' links) or tied to several kinds."""
    kind_models = {kind.model for kind in KINDS}
    model = getattr(model, "instance_type", model)  # a history table: its record's
    if model in kind_models:
        return model
    if model._meta.auto_created:
        return _owner(model._meta.auto_created)
    targets = {
        field.related_model
        for field in model._meta.get_fields()
        if field.many_to_one and field.concrete and field.related_model in kind_models
    }
    return targets.pop() if len(targets) == 1 else None


def _related_kind_models(model, reverse):
    """The kinds a kind's records name: those it links to, and (reverse)
    those linking to it."""
    kind_models = {kind.model for kind in KINDS}
    related = set()
    for field in model._meta.get_fields():
        if not field.is_relation or field.related_model not in kind_models:
            continue
        if field.concrete or reverse:
            related.add(field.related_model)
    return related


@cache
def _tables_by_owner():
    from django.apps import apps

    owners = {}
    for model in apps.get_app_config("cases").get_models(include_auto_created=True):
        if model is TableVersion or model._meta.proxy:
            continue
        owners.setdefault(_owner(model), set()).add(model._meta.db_table)
    return owners


@cache
def tables_read_by(kind, shows_one_record):
    """The tables a kind's table pages read, or (shows_one_record) a record's
    page, which also lists the records that link to it. A source's page lists
    every record citing it: it reads everything (None).

    Of another kind's records, a page shows what their links show (names,
    slugs, statuses, claims: Kind.link_columns), never their prose nor
    their history: it reads their link version instead of their table and
    history (cases/data_version.py), so a correction to a facility's
    description leaves the transfers tables cached. Their link tables
    (many-to-many, designations) are read whole."""
    if kind.model is Source and shows_one_record:
        return None
    owners = _tables_by_owner()
    kinds_read = {kind.model, *SHOWN_BY_EVERY_RECORD}
    kinds_read |= _related_kind_models(kind.model, reverse=shows_one_record)
    tables = set(owners.get(None, ()))
    for model in kinds_read:
        owned = owners.get(model, set())
        if model is not kind.model:
            own_tables = {model._meta.db_table, model.history.model._meta.db_table}
            owned = (owned - own_tables) | {data_version.link_version_table(model._meta.db_table)}
        tables |= owned
    return frozenset(tables)


def link_columns():
    """{table: the columns another kind's page may show} for every kind:
    what the link versions' triggers compare (cases/data_version.py)."""
    return {kind.model._meta.db_table: kind.link_columns for kind in KINDS}


def install_version_triggers(sender, app_config, using, **kwargs):
    """post_migrate receiver: the data-version triggers of every table of
    the app, and the link versions' of every kind (see apps.py)."""
    data_version.install_after_migrate(
        sender, app_config, using, link_columns=link_columns(), **kwargs
    )


@cache
def tables_read_by_timeline():
    """The timeline lists the dated kinds' records as their tables' rows do."""
    tables = set()
    for kind in KINDS:
        if kind.on_timeline:
            tables |= tables_read_by(kind, shows_one_record=False)
    return frozenset(tables)


def tables_read(match):
    """The tables the matched route reads, or None for every table (home,
    search, feeds, the log and the dossier read every kind)."""
    if match is None or match.url_name is None:
        return None
    if match.url_name == "timeline":
        return tables_read_by_timeline()
    for kind in KINDS:
        if not match.url_name.startswith(f"{kind.name}_"):
            continue
        route = match.url_name.removeprefix(kind.name)
        if route in TABLE_ROUTES:
            return tables_read_by(kind, shows_one_record=False)
        if route in RECORD_ROUTES:
            return tables_read_by(kind, shows_one_record=True)
    return None


# --- The key ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseKey:
    key: str
    version: data_version.Version

    @property
    def etag(self):
        return (
            f'"{self.version.token[:20]}-{code_fingerprint()}-{translation.get_language() or ""}"'
        )


def versions_for(request):
    """Every table's version, read once per request from the database the
    request's reads go to (a replica's own version for a page it renders)."""
    return data_version.for_request(request, using=router.db_for_read(TableVersion))


def response_key(request, purpose="page", tables=None, visibility=None):
    """The key of this request's response, or None when nothing may be
    cached (no version: a flushed database, a backend without triggers).
    `tables` overrides what the route reads; `visibility` the reader's class
    (a token's role, for instance)."""
    versions = versions_for(request)
    if versions is None:
        return None
    query = understood_query(request)
    if AS_OF_PARAM in query:
        # A page as of a moment reads the history of every record it shows,
        # not only their links: it keys on every table.
        tables = None
    elif tables is None:
        tables = tables_read(request.resolver_match)
    version = versions.of(tables)
    query = query.urlencode()
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    key = ":".join(
        (
            purpose,
            code_fingerprint(),
            version.token,
            translation.get_language() or "",
            visibility or visibility_class(request.user),
            hashlib.md5(url.encode(), usedforsecurity=False).hexdigest(),
        )
    )
    return ResponseKey(key=key, version=version)
