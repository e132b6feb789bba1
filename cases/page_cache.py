"""A page cache for anonymous readers, keyed by the data version.

The public side never changes a record: pages change only when an admin
saves. So an anonymous reader's page depends on nothing but the URL, the data
version (cases/data_version.py), the language and the reader's visibility
class, and is cached under a key made of those. An edit commits a new data
version, and every page of the old data becomes unreachable at once: there is
nothing to invalidate, and no page is served stale after a commit.

What is never cached:
- a logged-in reader's pages (they carry the reader's name and a CSRF token
  for the log-out form; editors see drafts): they get `private, no-cache`;
- anything that sets a cookie or uses a CSRF token (the login page), flashes
  a message, or is not a plain 200 HTML page: PDF briefs (permission-gated),
  CSV/JSON exports (streamed), redirects, errors, admin (outside this app's
  URLs);
- anything while the site is closed (every reader is logged in then).

Cached pages carry `ETag` and `Last-Modified` from the data version and
`Cache-Control: public` so a CDN or reverse proxy can keep them too (see
README, Production).
"""

import hashlib
import zlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache as default_cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from . import data_version, replicas
from .outage import DATABASE_AWAY
from .querysets import sees_drafts

# URL names of this app's views that are never cached: PDF briefs are for
# those allowed them, and need a login anyway.
UNCACHED_URL_NAME_SUFFIXES = ("_brief", "dossier")
# Response headers kept with a cached page; the rest (security headers, the
# CSP) are added again by the middleware on every response.
KEPT_HEADERS = ("Content-Type", "Content-Language")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


def in_scope(request):
    """A page of this app (not admin, login, PDF or export)."""
    match = request.resolver_match
    if match is None or match.namespace != "cases":
        return False
    if match.url_name.endswith(UNCACHED_URL_NAME_SUFFIXES):
        return False
    return "_export" not in request.GET


def page_key(request, version):
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return ":".join(
        (
            "page",
            code_fingerprint(),
            version.token,
            translation.get_language() or "",
            visibility_class(request.user),
            hashlib.md5(url.encode(), usedforsecurity=False).hexdigest(),
        )
    )


def etag(request, version):
    return f'"{version.token[:20]}-{code_fingerprint()}-{translation.get_language() or ""}"'


def may_serve_from_cache(request):
    if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
        return False
    if settings.SITE_MODE != "open":
        return False
    # A message waiting to be shown belongs to this reader alone.
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    try:
        if request.user.is_authenticated:
            return False
        return SessionStorage.session_key not in request.session
    except DATABASE_AWAY:
        return False


def may_store(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def add_public_headers(request, response, version):
    response["ETag"] = etag(request, version)
    response["Last-Modified"] = http_date(version.changed_at.timestamp())
    if settings.PROXY_CACHE_SECONDS:
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.PROXY_CACHE_SECONDS,
            # A proxy may answer from its copy while it fetches a fresh one,
            # and while the app servers are down (deploy/nginx.conf.template).
            stale_while_revalidate=settings.PROXY_STALE_WHILE_REVALIDATE_SECONDS,
            stale_if_error=settings.PROXY_STALE_IF_ERROR_SECONDS,
        )
    else:
        patch_cache_control(response, public=True, no_cache=True)
    # A proxy must not give this page to a logged-in reader.
    patch_vary_headers(response, ("Cookie",))


class PageCacheMiddleware:
    """Serve anonymous readers' pages from the cache, keyed by data version.

    The lookup happens in process_view, after the site-mode middleware has
    had its say (a closed site redirects before any cached page is served)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        pending = getattr(request, "_page_cache_pending", None)
        if pending is not None and may_store(request, response):
            key, version = pending
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            default_cache.set(
                key,
                (zlib.compress(response.content, 1), headers),
                settings.PAGE_CACHE_SECONDS,
            )
            add_public_headers(request, response, version)
            return get_conditional_response(
                request,
                etag=response["ETag"],
                last_modified=version.changed_at.timestamp(),
                response=response,
            )
        if in_scope(request) and self.logged_in(request):
            patch_cache_control(response, private=True, no_cache=True)
        return response

    @staticmethod
    def logged_in(request):
        try:
            return request.user.is_authenticated
        except DATABASE_AWAY:
            # The session could not be read (the page is the 503): say nothing.
            return False

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not in_scope(request) or not may_serve_from_cache(request):
            return None
        try:
            # From the database that renders the page: a lagging replica's
            # page is stored under the replica's (older) version.
            version = data_version.for_request(request, using=replicas.read_alias())
        except DATABASE_AWAY:
            # Raised here, outside the view, it would be a 500: let the view
            # run uncached and DatabaseUnavailableMiddleware answer its 503.
            return None
        if version is None:
            return None
        key = page_key(request, version)
        cached = default_cache.get(key)
        if cached is None:
            request._page_cache_pending = (key, version)
            return None
        content, headers = cached
        response = HttpResponse(zlib.decompress(content))
        for name, value in headers.items():
            response[name] = value
        add_public_headers(request, response, version)
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=version.changed_at.timestamp(),
            response=response,
        )
