"""An OpenRefine reconciliation service at /reconcile: match a spreadsheet's
names to the tracker's actors, facilities, agreements and detainee groups.

It speaks the W3C Reconciliation Service API as OpenRefine does (version 0.2:
https://reconciliation-api.github.io/specs/0.2/): the service manifest at
/reconcile, queries as a `queries` JSON parameter (GET or POST), a preview
of each candidate OpenRefine shows in a frame, and suggest for entities and
types. Only published records are candidates, whoever asks.

Candidates come from the tracker's own search (accent- and case-forgiving,
cases/search.py), and each is scored by how closely its name or one of its
other names (the queryset's `search_name_fields`: aliases, a short name)
matches the query once both are folded: 100 for the same words, less as
they differ. A candidate is a `match` (OpenRefine accepts it without asking)
only when it alone scores 100.
"""

import json
import re
from difflib import SequenceMatcher

from csp.decorators import csp_replace
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import presentation
from .kinds import KINDS_BY_NAME
from .search import SEARCH_TEXT_MAX_LENGTH, clean_search_text, fold, search_words

# The kinds a spreadsheet's names are matched against, by their type id.
TYPES = ("actor", "facility", "agreement", "detaineegroup")
DEFAULT_LIMIT = 5
MAX_LIMIT = 25
# Queries one request may hold (OpenRefine sends 10 at a time).
MAX_QUERIES = 50
# Candidates read per kind before scoring, per query.
CANDIDATES_PER_KIND = 30
SUGGEST_LIMIT = 10
JSONP_CALLBACK_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$"
)


class BadQuery(ValueError):
    """A query OpenRefine could not have meant; its message says why."""


def _kinds(type_id=None):
    if type_id is None:
        return [KINDS_BY_NAME[name] for name in TYPES]
    if type_id not in TYPES:
        raise BadQuery(f"Unknown type {type_id!r}; the types are {', '.join(TYPES)}.")
    return [KINDS_BY_NAME[type_id]]


def _type(kind):
    return {"id": kind.name, "name": str(kind.label).capitalize()}


def _entity_id(kind, record):
    return f"{kind.url_prefix}/{record.slug}"


def _names(record):
    """The record's name and its other names, each as written."""
    fields = type(record).objects.all().search_name_fields
    names = []
    for field in fields:
        for line in str(getattr(record, field) or "").splitlines():
            if line.strip() and line.strip() not in names:
                names.append(line.strip())
    return names


def _bare(text):
    """Folded text without spaces, hyphens or punctuation: "Mega-prison",
    "mega prison" and "MEGAPRISON" are the same name."""
    return re.sub(r"[\W_]+", "", fold(text))


def score(query, names):
    """0-100: how closely the best of `names` matches `query`, both folded
    (accents, case and spacing forgiven): 100 for the same words; otherwise
    half for how alike the strings are, half for how many of the query's
    words the name holds (a record found only through a linked record's
    name scores low)."""
    wanted_words = search_words(query)
    wanted = " ".join(wanted_words)
    best = 0.0
    for name in names:
        words = search_words(name)
        candidate = " ".join(words) or fold(name)
        if _bare(candidate) == _bare(wanted):
            return 100.0
        alike = SequenceMatcher(None, wanted, candidate).ratio()
        held = sum(any(word.startswith(w) for word in words) for w in wanted_words)
        best = max(best, 99 * (alike + held / max(len(wanted_words), 1)) / 2)
    return round(best, 1)


def _candidates(kind, text, user):
    records = kind.model.objects.visible_to(user)
    found = list(records.search(text, user).order_by("pk")[:CANDIDATES_PER_KIND])
    if not found:
        # No record holds every word: any of them ("Nayib Bukele Ortez").
        seen = set()
        for word in search_words(text):
            for record in records.search(word, user).order_by("pk")[:CANDIDATES_PER_KIND]:
                if record.pk not in seen:
                    seen.add(record.pk)
                    found.append(record)
    return found


def _description(kind, record):
    parts = []
    for name in ("kind", "role", "status", "country"):
        field = next((shown for shown in kind.fields if shown.name == name), None)
        if field is None or not getattr(record, name, ""):
            continue
        display = getattr(record, f"get_{name}_display", None)
        parts.append(str(display() if display else getattr(record, name)))
    return ", ".join(dict.fromkeys(parts)) or str(kind.label).capitalize()


def candidates(text, kinds, limit):
    """[(candidate as the API gives it, its record)], best first."""
    user = AnonymousUser()
    scored = []
    for kind in kinds:
        for record in _candidates(kind, text, user):
            result = {
                "id": _entity_id(kind, record),
                "name": presentation.record_label(record, None),
                "type": [_type(kind)],
                "score": score(text, _names(record)),
                "description": _description(kind, record),
            }
            scored.append((result, record))
    scored.sort(key=lambda pair: (-pair[0]["score"], pair[0]["name"]))
    return scored[: min(limit, MAX_LIMIT)]


def reconcile_query(query):
    """One query's {"result": [candidates]}, best first."""
    if isinstance(query, str):
        query = {"query": query}
    if not isinstance(query, dict):
        raise BadQuery("Each query is an object with a `query` string.")
    text = clean_search_text(str(query.get("query", "")))[:SEARCH_TEXT_MAX_LENGTH]
    limit = query.get("limit", DEFAULT_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise BadQuery("`limit` is a whole number from 1.")
    type_id = query.get("type")
    if isinstance(type_id, list):
        type_id = type_id[0] if type_id else None
    kinds = _kinds(str(type_id) if type_id else None)
    if not text:
        return {"result": []}
    results = [result for result, _ in candidates(text, kinds, limit)]
    exact = [result for result in results if result["score"] == 100]
    for result in results:
        result["match"] = len(exact) == 1 and result is exact[0]
    return {"result": results}


def manifest(request):
    site = request.build_absolute_uri("/")
    service = request.build_absolute_uri(reverse("reconcile"))
    return {
        "versions": ["0.2"],
        "name": "U.S. deportations to El Salvador: case tracker",
        "identifierSpace": site,
        "schemaSpace": "https://schema.org/",
        "defaultTypes": [_type(kind) for kind in _kinds()],
        "view": {"url": f"{site}{{{{id}}}}/"},
        "preview": {
            "url": f"{request.build_absolute_uri(reverse('reconcile:preview'))}?id={{{{id}}}}",
            "width": 400,
            "height": 120,
        },
        "suggest": {
            "entity": {"service_url": service.rstrip("/"), "service_path": "/suggest/entity"},
            "type": {"service_url": service.rstrip("/"), "service_path": "/suggest/type"},
        },
    }


def _answer(request, data, status=200):
    """JSON, or JSONP when OpenRefine (or a page) asks with `callback`."""
    callback = request.GET.get("callback", "")
    if callback and set(callback) <= JSONP_CALLBACK_CHARACTERS and len(callback) <= 64:
        body = f"/**/{callback}({json.dumps(data, ensure_ascii=False)});"
        return HttpResponse(body, status=status, content_type="application/javascript")
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def service(request):
    """The manifest, or the answers to `queries` ({"q0": {"query": ...}})."""
    raw = request.POST.get("queries") or request.GET.get("queries")
    if raw is None:
        return _answer(request, manifest(request))
    try:
        queries = json.loads(raw)
        if not isinstance(queries, dict):
            raise BadQuery('`queries` is a JSON object: {"q0": {"query": "..."}}.')
        if len(queries) > MAX_QUERIES:
            raise BadQuery(f"At most {MAX_QUERIES} queries at a time.")
        answers = {key: reconcile_query(query) for key, query in queries.items()}
    except (ValueError, BadQuery) as error:
        message = str(error) if isinstance(error, BadQuery) else "`queries` is not JSON."
        return _answer(request, {"error": message}, status=400)
    return _answer(request, answers)


def _record(entity_id):
    """The published record an id names, and its kind, or (None, None)."""
    prefix, _, slug = str(entity_id).strip("/").partition("/")
    for kind in _kinds():
        if kind.url_prefix == prefix and slug:
            record = kind.model.objects.published().filter(slug=slug[:120]).first()
            return (kind, record) if record else (None, None)
    return None, None


@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def preview(request):
    """A small card of one candidate, for OpenRefine's frame."""
    kind, record = _record(request.GET.get("id", ""))
    if record is None:
        return HttpResponse(
            "No published record by this id.", status=404, content_type="text/plain"
        )
    return render(
        request,
        "cases/reconcile_preview.html",
        {
            "record": record,
            "name": presentation.record_label(record, None),
            "description": _description(kind, record),
            "lead": getattr(record, kind.lead_field, "") if kind.lead_field else "",
        },
    )


@require_GET
def suggest_entity(request):
    prefix = clean_search_text(request.GET.get("prefix", ""))[:SEARCH_TEXT_MAX_LENGTH]
    try:
        kinds = _kinds(request.GET.get("type") or None)
    except BadQuery as error:
        return _answer(request, {"error": str(error)}, status=400)
    # As the reader types: only records one of whose names holds the words typed.
    wanted = search_words(prefix)
    suggestions = [
        {"id": r["id"], "name": r["name"], "description": r["description"]}
        for r, record in (candidates(prefix, kinds, MAX_LIMIT) if wanted else [])
        if all(any(w in fold(name) for name in _names(record)) for w in wanted)
    ][:SUGGEST_LIMIT]
    return _answer(request, {"result": suggestions})


@require_GET
def suggest_type(request):
    prefix = fold(request.GET.get("prefix", "").strip())
    types = [_type(kind) for kind in _kinds()]
    return _answer(
        request, {"result": [t for t in types if fold(t["name"]).startswith(prefix) or not prefix]}
    )


urlpatterns = [
    path("preview", preview, name="preview"),
    path("suggest/entity", suggest_entity, name="suggest_entity"),
    path("suggest/type", suggest_type, name="suggest_type"),
]
