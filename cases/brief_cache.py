"""PDF briefs of unchanged data, served from the cache (issue 24, point 4).

A brief (record, table, dossier, as-of) depends on nothing but what the one
cache key holds (cases/response_cache.py): its route and the parameters it
reads (filters, sort, `as_of`, `lang`, `paper`), the reader's language and
visibility (a brief reader sees what the public sees; an editor drafts too),
the code, and the versions of the tables it reads. So once made, the PDF is
kept under that key, and the same request of unchanged data is answered with
the same file, without a query but the versions' and without WeasyPrint. An
edit to what the brief reads changes the key; nothing is invalidated.

The check of who may download briefs runs before this, on every request.
Not kept: a refusal (a plain page saying why no PDF was made), and a PDF
larger than BRIEF_CACHE_MAX_BYTES.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from . import response_cache, single_flight

PURPOSE = "brief"
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def brief_key(request):
    """The brief's key under the one cache key, or None when nothing may be cached."""
    return response_cache.response_key(request, purpose=PURPOSE)


def data_changed_at(request):
    """When what the brief reads last changed (its tables' version), or None:
    the PDF's creation date, the same for every rendering of unchanged data."""
    key = brief_key(request)
    return key.version.changed_at if key else None


def served_from_cache(view):
    """Answer with the kept PDF when there is one, else run `view` and keep
    the PDF it makes."""

    @wraps(view)
    def cached(request, *args, **kwargs):
        key = brief_key(request) if settings.BRIEF_CACHE_MAX_BYTES else None
        if key is None:
            return view(request, *args, **kwargs)
        # Made by one request at a time (WeasyPrint takes seconds); the
        # others wait for its PDF.
        stored, claimed = single_flight.cached_or_claimed(key.key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            return response
        try:
            response = view(request, *args, **kwargs)
            if may_keep(response):
                headers = {name: response[name] for name in KEPT_HEADERS if name in response}
                cache.set(key.key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
        finally:
            if claimed:
                single_flight.release(key.key)
        return response

    return cached


def may_keep(response):
    return (
        response.status_code == 200
        and response.get("Content-Type") == "application/pdf"
        and len(response.content) <= settings.BRIEF_CACHE_MAX_BYTES
    )
