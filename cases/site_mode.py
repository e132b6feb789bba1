"""Open or closed site, chosen by the SITE_MODE setting.

Closed, every view needs a logged-in user, as Django's LoginRequiredMiddleware
has it: pages, CSV/JSON exports and PDF briefs redirect to the login page.
Views marked `login_not_required` (the login page, /healthz) stay reachable,
and static files are answered by whitenoise before any view is chosen.
"""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware

from .outage import DATABASE_AWAY, database_unavailable_response

SITE_OPEN = "open"


def site_is_closed():
    # Anything but "open" counts as closed: the settings refuse other values,
    # and a mistake here should lock the site, not open it.
    return settings.SITE_MODE != SITE_OPEN


class SiteModeMiddleware(LoginRequiredMiddleware):
    """LoginRequiredMiddleware, applied only while the site is closed. The
    setting is read on each request, so tests can switch it."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Views that need no login are let through before the user is looked
        # up: that reads the session from the database, and /healthz must
        # answer even when the database does not.
        if not site_is_closed() or not getattr(view_func, "login_required", True):
            return None
        try:
            request.user.is_authenticated  # noqa: B018 (loads the user from the session)
        except DATABASE_AWAY:
            # Raised here, outside any view, the error would bypass
            # DatabaseUnavailableMiddleware and give a 500: answer its 503.
            return database_unavailable_response()
        return super().process_view(request, view_func, view_args, view_kwargs)
