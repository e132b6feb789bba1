"""A page cache for anonymous readers, keyed by the versions of what each
page reads.

The public side never changes a record: pages change only when an admin
saves. So an anonymous reader's page (or Atom feed) depends on nothing but
its route, the parameters its view reads, the versions of the tables it
reads, the language and the reader's visibility class, and is cached under
the one key cases/response_cache.py makes of those. An edit commits new
versions of the tables it wrote, and every page that read them becomes
unreachable at once: there is nothing to invalidate, no page is served stale
after a commit, and pages that did not read them stay cached.

Parameters a view does not read are taken off the request before it runs
(response_cache.keep_only_params_read), so a junk parameter neither bypasses
the cache nor reaches the page's links.

What is never cached:
- a logged-in reader's pages (they carry the reader's name and a CSRF token
  for the log-out form; editors see drafts): they get `private, no-cache`;
- anything that sets a cookie or uses a CSRF token (the login page), flashes
  a message, or is not a plain 200 HTML page or feed: PDF briefs
  (permission-gated), CSV/JSON exports (streamed), redirects, errors, admin
  (outside this app's URLs);
- anything while the site is closed (every reader is logged in then).

Cached pages carry `ETag` and `Last-Modified` from the versions they read and
`Cache-Control: public` so a CDN or reverse proxy can keep them too (see
README, Production).
"""

import zlib

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache as default_cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from . import response_cache, single_flight
from .outage import DATABASE_AWAY

# URL names of this app's views that are never cached: PDF briefs are for
# those allowed them, and need a login anyway.
UNCACHED_URL_NAME_SUFFIXES = ("_brief", "dossier")
# What a page cache stores besides HTML: the Atom feeds, which feed readers
# poll all day.
CACHED_CONTENT_TYPES = ("text/html", "application/atom+xml")
# Response headers kept with a cached page; the rest (security headers, the
# CSP) are added again by the middleware on every response.
KEPT_HEADERS = ("Content-Type", "Content-Language")


def in_scope(request):
    """A page of this app (not admin, login, PDF or export)."""
    match = request.resolver_match
    if match is None or match.namespace != "cases":
        return False
    if match.url_name.endswith(UNCACHED_URL_NAME_SUFFIXES):
        return False
    return "_export" not in request.GET


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
    if not response.get("Content-Type", "").startswith(CACHED_CONTENT_TYPES):
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def add_public_headers(response, cached):
    version = cached.version
    response["ETag"] = cached.etag
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
    """Serve anonymous readers' pages from the cache, under the one key of
    cases/response_cache.py.

    The lookup happens in process_view, after the site-mode middleware has
    had its say (a closed site redirects before any cached page is served)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
            cached = getattr(request, "_page_cache_pending", None)
            if cached is not None and may_store(request, response):
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                headers = {name: response[name] for name in KEPT_HEADERS if name in response}
                default_cache.set(
                    cached.key,
                    (zlib.compress(response.content, 1), headers),
                    settings.PAGE_CACHE_SECONDS,
                )
                return self.conditional(request, response, cached)
        finally:
            # Stored or not, the readers waiting for this page stop waiting.
            if getattr(request, "_page_cache_claimed", None) is not None:
                single_flight.release(request._page_cache_claimed)
        if in_scope(request) and self.logged_in(request):
            patch_cache_control(response, private=True, no_cache=True)
        return response

    @staticmethod
    def conditional(request, response, cached):
        add_public_headers(response, cached)
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=cached.version.changed_at.timestamp(),
            response=response,
        )

    @staticmethod
    def logged_in(request):
        try:
            return request.user.is_authenticated
        except DATABASE_AWAY:
            # The session could not be read (the page is the 503): say nothing.
            return False

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match is None or request.resolver_match.namespace != "cases":
            return None
        # Every reader's view sees only the parameters it reads, so what it
        # shows depends on nothing the key leaves out.
        response_cache.keep_only_params_read(request)
        if not in_scope(request) or not may_serve_from_cache(request):
            return None
        try:
            cached = response_cache.response_key(request)
        except DATABASE_AWAY:
            # Raised here, outside the view, it would be a 500: let the view
            # run uncached and DatabaseUnavailableMiddleware answer its 503.
            return None
        if cached is None:
            return None
        # Computed by one request at a time; the others wait for its result.
        stored, claimed = single_flight.cached_or_claimed(cached.key)
        if claimed:
            request._page_cache_claimed = cached.key
        if stored is None:
            request._page_cache_pending = cached
            return None
        content, headers = stored
        response = HttpResponse(zlib.decompress(content))
        for name, value in headers.items():
            response[name] = value
        return self.conditional(request, response, cached)
