"""The read API at /api/v1/, for scripts and notebooks (django-ninja, with
its OpenAPI document at /api/v1/openapi.json and a page at /api/v1/docs).

Every kind of the registry (cases/kinds.py) gets a list and a record
endpoint; their rows are what the JSON export writes for the same records
(cases/exports.py: typed values, related records by slug and URL, the
citations with the fields each supports), so the API cannot drift from the
exports or the pages. The lists take the tables' own filters (the kind's
filter set, by the same GET names), Datasette's envelope (`ok`, `rows`,
`next`, `next_url`; a count and facets only when `_extra` asks) and keyset
pagination (cases/keyset.py). Visibility is the pages': `visible_to()` of
the reader, who is anonymous (published records only), logged in, or a
newsroom tool with a token an admin issued (`Authorization: Bearer ...`),
reading with that token's role.

Bad parameters get a 400 with a JSON body that says what to correct, never a
500. Responses carry an ETag and Cache-Control from the data version, as
pages do, and are kept in the cache under the page cache's key.
"""

import json
import re
import zlib
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.cache import cache as default_cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.urls.converters import SlugConverter
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from . import annotations, asof, exports, response_cache, roles, single_flight
from .facets import FacetRunner
from .keyset import BadCursor, Keyset
from .kinds import KINDS
from .models import ApiToken
from .outage import DATABASE_AWAY
from .pagination import count_up_to
from .pdf import BriefRefused
from .querysets import (
    corrections_log,
    corrections_to,
    describe_corrections,
    sees_drafts,
    shown_relation,
)
from .site_mode import site_is_closed

DEFAULT_SIZE = 100
MAX_SIZE = 1_000
EXTRAS = ("count", "facets")
# The parameters every list takes besides its filters.
LIST_PARAMS = ("_size", "_next", "_sort", "_sort_desc", "_extra", asof.AS_OF_PARAM)
# Fields of a record's own a list may sort by, besides its slug and title:
# the kind's shown values stored in a column of their own.
SORTABLE_SHOWS = ("text", "country", "choice", "stated_date", "stated_count", "occurrence", "day")


# --- Who reads ---------------------------------------------------------------


class TokenReader(AnonymousUser):
    """A newsroom tool reading with an API token: it sees what the token's
    role sees (its group's permissions), nothing more. Not a person, so it
    has no account, session or staff rights."""

    is_active = True

    def __init__(self, token):
        self.token = token
        self.group_name = roles.ROLES[token.role]

    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    @property
    def groups(self):
        return Group.objects.filter(name=self.group_name)

    @cached_property
    def _permissions(self):
        rows = Permission.objects.filter(group__name=self.group_name).values_list(
            "content_type__app_label", "codename"
        )
        return {f"{app}.{codename}" for app, codename in rows}

    def has_perm(self, perm, obj=None):
        return perm in self._permissions

    def __str__(self):
        return f"API token {self.token}"


class ApiError(Exception):
    """A request the API cannot answer as asked: a JSON body says why."""

    def __init__(self, status, error, **details):
        super().__init__(error)
        self.status = status
        self.body = {"ok": False, "error": error, **details}


def error_response(status, error, **details):
    return json_response({"ok": False, "error": error, **details}, status=status)


class TokenOrSession(HttpBearer):
    """The reader: a token's role when `Authorization: Bearer` is sent (a
    wrong or revoked token is refused, never read as anonymous), else the
    logged-in user or an anonymous reader. While the site is closed an
    anonymous reader is refused, as every page refuses one."""

    def __call__(self, request):
        header = request.headers.get("Authorization")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None
            return self.authenticate(request, token.strip())
        if request.user.is_authenticated or not site_is_closed():
            return request.user
        return None

    def authenticate(self, request, token):
        found = ApiToken.objects.active().filter(digest=ApiToken.digest_of(token)).first()
        if found is None:
            return None
        reader = TokenReader(found)
        request.user = reader
        return reader


api = NinjaAPI(
    title="Deportations to El Salvador: case tracker API",
    version="1",
    description=(
        "Every published record of the tracker, typed as the CSV and JSON exports are, "
        "with the verbatim quotes that support each value. Anonymous readers see "
        "published records; a newsroom tool sends `Authorization: Bearer <token>` "
        "(issued in admin) to read with its role. Lists page with `next` "
        "(keyset, stable under inserts), up to `_size=1000` rows at a time."
    ),
    urls_namespace="api",
    auth=TokenOrSession(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ApiError)
def _api_error(request, error):
    return json_response(error.body, status=error.status)


def _unauthorized(request, _exc):
    if request.headers.get("Authorization"):
        message = "This token is not valid or has been revoked. Ask an admin for a new one."
    else:
        message = (
            "The site is closed to anonymous readers: log in, or send a token as "
            "`Authorization: Bearer <token>`."
        )
    return error_response(401, message)


api.add_exception_handler(AuthenticationError, _unauthorized)


# --- Responses ------------------------------------------------------------------


def json_response(data, status=200):
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def cached_json(request, build, tables=None):
    """`build()`'s JSON body, served from the cache when this URL was built
    for the same versions of the tables it reads (`tables`; None: all),
    language and visibility, under the one cache key (cases/response_cache.py),
    with an ETag and Cache-Control as pages have; a 304 when the reader's copy
    is current. A token's or a logged-in reader's response is private: a
    shared cache must not hand it to anyone else."""
    visibility = response_cache.visibility_class(request.user)
    try:
        key = response_cache.response_key(
            request, purpose="api", tables=tables, visibility=visibility
        )
    except DATABASE_AWAY:
        key = None
    if key is None:
        return build()
    tag = f'{key.etag.rstrip(chr(34))}-{visibility}"'
    conditional = get_conditional_response(request, etag=tag)
    if conditional is not None:
        _add_cache_headers(request, conditional, tag)
        return conditional
    cached, claimed = None, False
    if settings.PAGE_CACHE_SECONDS:
        # Built by one request at a time; the others wait for its result.
        cached, claimed = single_flight.cached_or_claimed(key.key)
    if cached is not None:
        response = HttpResponse(zlib.decompress(cached), content_type="application/json")
    else:
        try:
            response = build()
            if response.status_code == 200 and settings.PAGE_CACHE_SECONDS:
                default_cache.set(
                    key.key, zlib.compress(response.content, 1), settings.PAGE_CACHE_SECONDS
                )
        finally:
            if claimed:
                single_flight.release(key.key)
    if response.status_code == 200:
        _add_cache_headers(request, response, tag)
    return response


def _add_cache_headers(request, response, tag):
    response["ETag"] = tag
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    elif settings.PROXY_CACHE_SECONDS:
        patch_cache_control(response, public=True, max_age=0, s_maxage=settings.PROXY_CACHE_SECONDS)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))


# --- Lists -----------------------------------------------------------------------


def _sortable(kind):
    """The columns a list of `kind` may sort by ({parameter: model field})."""
    names = {"slug": "slug", kind.title_field: kind.title_field}
    concrete = {field.name for field in kind.model._meta.concrete_fields if not field.is_relation}
    for shown in kind.fields:
        if shown.shows in SORTABLE_SHOWS and shown.name in concrete:
            names[shown.name] = shown.name
    return names


def page_size(request):
    raw = _param(request, "_size")
    if not raw:
        return DEFAULT_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SIZE:
        raise ApiError(
            400, f"_size must be a whole number from 1 to {MAX_SIZE}.", parameter="_size"
        )
    return int(raw)


def _param(request, name):
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise ApiError(400, f"Give {name} once.", parameter=name)
    return values[0].strip() if values else ""


class ListRequest:
    """One list request's parameters as understood; anything not understood
    raises ApiError (400) naming it."""

    def __init__(self, request, kind):
        self.request, self.kind = request, kind
        self.user = request.user
        unknown = sorted(
            name
            for name in request.GET
            if name not in LIST_PARAMS and name not in kind.filterset.base_filters
        )
        if unknown:
            raise ApiError(
                400,
                f"Unknown parameter {unknown[0]!r}.",
                parameter=unknown[0],
                filters=sorted(kind.filterset.base_filters),
                parameters=list(LIST_PARAMS),
            )
        self.size = self._size()
        self.extras = self._extras()
        self.moment = self._moment()
        if "facets" in self.extras and self.moment is not None:
            raise ApiError(
                400,
                "Facets count the records as they are now: leave out as_of, or _extra=facets.",
                parameter="_extra",
            )
        self.keyset = self._keyset()

    def _size(self):
        return page_size(self.request)

    def _extras(self):
        extras = [
            name.strip()
            for value in self.request.GET.getlist("_extra")
            for name in value.split(",")
            if name.strip()
        ]
        for name in extras:
            if name not in EXTRAS:
                raise ApiError(
                    400,
                    f"There is no extra {name!r}; choose from {', '.join(EXTRAS)}.",
                    parameter="_extra",
                )
        return set(extras)

    def _moment(self):
        try:
            return asof.requested_moment(self.request)
        except BriefRefused as refusal:
            raise ApiError(400, str(refusal.message), parameter=asof.AS_OF_PARAM) from None

    def _keyset(self):
        sort, desc = _param(self.request, "_sort"), _param(self.request, "_sort_desc")
        if sort and desc:
            raise ApiError(400, "Give _sort or _sort_desc, not both.", parameter="_sort")
        sortable = _sortable(self.kind)
        name = sort or desc
        if name and name not in sortable:
            raise ApiError(
                400,
                f"A list of {self.kind.label_plural} cannot be sorted by {name!r}.",
                parameter="_sort_desc" if desc else "_sort",
                sortable=sorted(sortable),
            )
        if name and self.moment is not None:
            raise ApiError(
                400,
                "A list as of an earlier time comes in its own order: leave out _sort.",
                parameter="_sort",
            )
        keyset = Keyset(self.kind.model, sortable.get(name), descending=bool(desc))
        try:
            keyset.resume(_param(self.request, "_next"))
        except BadCursor:
            raise ApiError(
                400,
                "_next is not a token this list gave (or it was given for another sort).",
                parameter="_next",
            ) from None
        return keyset

    @cached_property
    def filterset(self):
        data = self.request.GET.copy()
        for name in LIST_PARAMS:
            data.pop(name, None)
        queryset = self.kind.model.objects.visible_to(self.user).for_table(self.user)
        filterset = self.kind.filterset(data or None, queryset, request=self.request)
        if filterset.is_bound and not filterset.is_valid():
            raise ApiError(
                400,
                "Some filters could not be used.",
                errors={name: list(errors) for name, errors in filterset.form.errors.items()},
            )
        return filterset

    def matching(self):
        """The matching rows' queryset; as of an earlier time, those whose
        own fields matched then (cases/asof.py)."""
        if self.moment is None:
            return self.filterset.qs
        rows, _ = asof.filter_as_it_stood(self.filterset, self.moment, self.user)
        return self.kind.model.objects.visible_to(self.user).filter(pk__in=[r.pk for r in rows])

    def page(self):
        """(rows as data, the next token or None)."""
        matching = self.matching()
        keys = self.keyset.page_keys(matching, self.size)
        more = len(keys) > self.size
        keys = keys[: self.size]
        records = exports.records_with_shown_relations(
            self.kind.model.objects.filter(pk__in=[pk for pk, _ in keys]), self.kind, self.user
        )
        by_pk = {record.pk: record for record in records}
        ordered = [by_pk[pk] for pk, _ in keys if pk in by_pk]
        if self.moment is not None:
            ordered = asof.as_it_stood(ordered, self.kind.model, self.moment, self.user)
        urls = exports.RecordURLs(self.request)
        with_drafts = sees_drafts(self.user)
        texts = annotations.SourceTexts()
        texts.load([c for record in ordered for c in shown_relation(record, "citations")])
        rows = [
            annotations.annotate_citations(
                exports.record_data(record, self.kind, urls, with_drafts), record, texts
            )
            for record in ordered
        ]
        return rows, self.keyset.token_after(keys[-1]) if more and keys else None

    def body(self):
        rows, token = self.page()
        body = {"ok": True, "rows": rows, "next": token, "next_url": None}
        if token:
            query = self.request.GET.copy()
            query["_next"] = token
            body["next_url"] = self.request.build_absolute_uri(
                f"{self.request.path}?{query.urlencode()}"
            )
        if self.moment is not None:
            body["as_of"] = self.moment.isoformat()
        if "count" in self.extras:
            cap = settings.TABLE_COUNT_CAP
            counted = count_up_to(self.matching(), cap)
            body["count"] = min(counted, cap)
            body["count_is_capped"] = counted > cap
        if "facets" in self.extras:
            body["facets"] = [
                {
                    "name": facet.name,
                    "label": str(facet.label),
                    "timed_out": facet.timed_out,
                    "options": [
                        {
                            "value": option.value,
                            "label": str(option.label),
                            "count": option.count,
                            "selected": option.selected,
                        }
                        for option in facet.options
                        if option.value
                    ],
                }
                for facet in FacetRunner(self.filterset).facets()
            ]
        return body


def _list_view(kind):
    def list_records(request):
        def build():
            return json_response(ListRequest(request, kind).body())

        return cached_json(request, build, response_cache.tables_read_by(kind, False))

    list_records.__name__ = f"list_{kind.name}"
    return list_records


def _record_view(kind):
    def get_record(request, slug: str):
        def build():
            return json_response(_record_body(request, kind, slug))

        return cached_json(request, build, response_cache.tables_read_by(kind, True))

    get_record.__name__ = f"get_{kind.name}"
    return get_record


SLUG = re.compile(SlugConverter.regex)


def _record_body(request, kind, slug):
    user = request.user
    unknown = sorted(set(request.GET) - {asof.AS_OF_PARAM})
    if unknown:
        raise ApiError(400, f"Unknown parameter {unknown[0]!r}.", parameter=unknown[0])
    # Slugs are what the pages' <slug:…> routes take; anything else (a NUL
    # byte, which PostgreSQL refuses in a query: a 500, found by make fuzz)
    # names no record.
    if not SLUG.fullmatch(slug):
        raise ApiError(404, f"No {kind.label} at this address.")
    records = list(
        exports.records_with_shown_relations(
            kind.model.objects.visible_to(user).filter(slug=slug), kind, user
        )
    )
    if not records:
        raise ApiError(404, f"No {kind.label} at this address.")
    record = records[0]
    body = {"ok": True}
    try:
        moment = asof.requested_moment(request)
        if moment is not None:
            record = asof.record_as_it_stood(record, kind.model, moment, user)
            body["as_of"] = moment.isoformat()
    except BriefRefused as refusal:
        raise ApiError(refusal.status, str(refusal.message), parameter=asof.AS_OF_PARAM) from None
    urls = exports.RecordURLs(request)
    row = exports.record_data(record, kind, urls, sees_drafts(user))
    body["rows"] = [annotations.annotate_citations(row, record, annotations.SourceTexts())]
    return body


# --- OpenAPI description of each kind's endpoints --------------------------------


# Every endpoint also answers without a token (published records only): an
# empty requirement beside the bearer token's says it is optional.
ANONYMOUS_TOO = [{}]
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean", "const": False},
        "error": {"type": "string"},
        "parameter": {"type": "string"},
    },
    "required": ["ok", "error"],
}
ROW_SCHEMA = {
    "type": "object",
    "description": "One record, typed as the JSON export writes it, with its citations.",
    "properties": {
        "slug": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "citations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "quote": {"type": "string"},
                    "source": {"type": "string"},
                    "source_url": {"type": "string", "format": "uri"},
                    "paragraph": {"type": ["integer", "null"]},
                    "supports": {"type": "array", "items": {"type": "string"}},
                    "source_slug": {"type": "string"},
                    "selector": {
                        "type": ["object", "null"],
                        "description": "W3C Web Annotation TextQuoteSelector of the quote "
                        "in its source's text.",
                        "properties": {
                            "type": {"type": "string", "const": "TextQuoteSelector"},
                            "exact": {"type": "string"},
                            "prefix": {"type": "string"},
                            "suffix": {"type": "string"},
                        },
                    },
                    "text_fragment_url": {
                        "type": ["string", "null"],
                        "description": "The source's public URL opened at the quote "
                        "(#:~:text=), where it has one.",
                    },
                },
            },
        },
    },
    "required": ["slug", "url", "citations"],
    "additionalProperties": True,
}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors():
    return {
        400: _json(ERROR_SCHEMA, "A parameter could not be used; the body says which and why."),
        401: _json(ERROR_SCHEMA, "A token that is not valid or was revoked."),
    }


def _list_envelope():
    return {
        "type": "object",
        "properties": {
            "ok": {"type": "boolean"},
            "rows": {"type": "array", "items": ROW_SCHEMA},
            "next": {"type": ["string", "null"], "description": "Pass as _next for the next page."},
            "next_url": {"type": ["string", "null"], "format": "uri"},
            "count": {"type": "integer", "description": "With _extra=count."},
            "count_is_capped": {"type": "boolean"},
            "facets": {"type": "array", "items": {"type": "object"}},
            "as_of": {"type": "string", "format": "date-time"},
        },
        "required": ["ok", "rows", "next", "next_url"],
    }


def _query(name, description, schema=None):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


AS_OF_DOC = _query(
    asof.AS_OF_PARAM,
    "The records as they stood then (2026-11-20T12:00, or a day): their own fields from the "
    "edit history; links and citations as they are now.",
)


def _list_parameters(kind):
    sortable = sorted(_sortable(kind))
    filters = [
        _query(name, f"Filter: {flt.label or name} (as the table's filter takes it).")
        for name, flt in kind.filterset.base_filters.items()
    ]
    return [
        _query(
            "_size",
            f"Rows per page, 1 to {MAX_SIZE}.",
            {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": DEFAULT_SIZE},
        ),
        _query("_next", "The `next` token of the previous page."),
        _query("_sort", "Sort ascending by this column.", {"type": "string", "enum": sortable}),
        _query(
            "_sort_desc", "Sort descending by this column.", {"type": "string", "enum": sortable}
        ),
        _query("_extra", "Comma-separated extras: count, facets.", {"type": "string"}),
        AS_OF_DOC,
        *filters,
    ]


for _kind in KINDS:
    api.get(
        f"/{_kind.url_prefix}/",
        operation_id=f"list_{_kind.name}",
        summary=f"List {_kind.label_plural}",
        description=str(_kind.intro),
        tags=[str(_kind.label_plural)],
        openapi_extra={
            "security": ANONYMOUS_TOO,
            "parameters": _list_parameters(_kind),
            "responses": {200: _json(_list_envelope(), "A page of rows."), **_errors()},
        },
    )(_list_view(_kind))
    api.get(
        f"/{_kind.url_prefix}/{{slug}}/",
        operation_id=f"get_{_kind.name}",
        summary=f"One {_kind.label}",
        tags=[str(_kind.label_plural)],
        openapi_extra={
            "security": ANONYMOUS_TOO,
            "parameters": [AS_OF_DOC],
            "responses": {
                200: _json(
                    {
                        "type": "object",
                        "properties": {
                            "ok": {"type": "boolean"},
                            "rows": {"type": "array", "items": ROW_SCHEMA, "maxItems": 1},
                        },
                    },
                    "The record.",
                ),
                404: _json(ERROR_SCHEMA, "No record the reader may see by this slug."),
                **_errors(),
            },
        },
    )(_record_view(_kind))


# --- Corrections -----------------------------------------------------------------


def _corrections_after(querysets, cursor):
    """corrections_log(), resumed after `cursor` (its newest-first order,
    made total by the kind's name and the correction's id)."""
    if cursor is None:
        return corrections_log(querysets, withdrawals=True)
    moment, kind_name, correction_id = cursor
    parts = []
    for queryset in querysets:
        part = corrections_to(queryset, withdrawals=True)
        name = queryset.model._meta.model_name
        earlier = Q(corrected_at__lt=moment)
        if name < kind_name:
            earlier |= Q(corrected_at=moment)
        elif name == kind_name:
            earlier |= Q(corrected_at=moment, correction_id__lt=correction_id)
        parts.append(part.filter(earlier))
    combined = parts[0].union(*parts[1:], all=True)
    return combined.order_by("-corrected_at", "-record_kind", "-correction_id")


def _correction_data(correction, urls):
    record = correction.record
    return {
        "corrected_at": correction.corrected_at,
        "change_kind": correction.kind,
        "change_kind_label": str(correction.kind_label),
        "reason": correction.reason,
        "withdrawn": correction.withdrawn,
        "record": (
            {
                "kind": record._meta.model_name,
                "slug": record.slug,
                "name": exports.presentation.record_label(record, None),
                "url": urls(record),
            }
            if record is not None
            else {
                "kind": correction.withdrawn_kind._meta.model_name
                if correction.withdrawn_kind
                else None,
                "name": correction.withdrawn_title,
            }
        ),
        "changes": [
            {"field": str(change["field"]), "before": change["before"], "after": change["after"]}
            for change in correction.changes
        ],
    }


def corrections_body(request):
    unknown = sorted(set(request.GET) - {"_size", "_next"})
    if unknown:
        raise ApiError(400, f"Unknown parameter {unknown[0]!r}.", parameter=unknown[0])
    size = page_size(request)
    try:
        cursor = Keyset.decode_correction(_param(request, "_next"))
    except BadCursor:
        raise ApiError(400, "_next is not a token this list gave.", parameter="_next") from None
    user = request.user
    querysets = [kind.model.objects.visible_to(user) for kind in KINDS]
    rows = list(_corrections_after(querysets, cursor)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    urls = exports.RecordURLs(request)
    corrections = [_correction_data(c, urls) for c in describe_corrections(rows, user)]
    token = None
    if more and rows:
        last = rows[-1]
        token = Keyset.encode_correction(
            (last["corrected_at"], last["record_kind"], last["correction_id"])
        )
    body = {"ok": True, "rows": corrections, "next": token, "next_url": None}
    if token:
        body["next_url"] = request.build_absolute_uri(
            f"{request.path}?{urlencode({'_size': size, '_next': token})}"
        )
    return body


@api.get(
    "/corrections/",
    operation_id="list_corrections",
    summary="The corrections log",
    description=(
        "Every public change to a published record since it was published, newest first, "
        "with what changed (before and after) and the reason; records taken off the tracker "
        "are listed as withdrawn."
    ),
    tags=["corrections"],
    openapi_extra={
        "security": ANONYMOUS_TOO,
        "parameters": [
            _query(
                "_size",
                f"Rows per page, 1 to {MAX_SIZE}.",
                {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
            ),
            _query("_next", "The `next` token of the previous page."),
        ],
        "responses": {200: _json(_list_envelope(), "A page of corrections."), **_errors()},
    },
)
def list_corrections(request):
    return cached_json(request, lambda: json_response(corrections_body(request)))


@api.get(
    "/",
    operation_id="index",
    summary="What the API holds",
    openapi_extra={
        "security": ANONYMOUS_TOO,
        "responses": {200: _json({"type": "object"}, "The lists and their URLs.")},
    },
)
def index(request):
    def build():
        lists = {
            kind.url_prefix: request.build_absolute_uri(reverse(f"api:list_{kind.name}"))
            for kind in KINDS
        }
        lists["corrections"] = request.build_absolute_uri(reverse("api:list_corrections"))
        return json_response(
            {
                "ok": True,
                "lists": lists,
                "openapi": request.build_absolute_uri(reverse("api:openapi-json")),
                "docs": request.build_absolute_uri(reverse("api:openapi-view")),
            }
        )

    return cached_json(request, build)


def urlpatterns():
    """The API's URL patterns, reachable whatever the site mode: the API
    answers a closed site's anonymous reader itself, with a JSON 401."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
