"""Project-wide request handling: a clear 503 while the database is away, a
400 for an admin address that names an empty field, and one structured log
line per request."""

import logging
import time

from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
from django.urls import reverse

from cases.outage import DATABASE_AWAY, database_unavailable_response

request_log = logging.getLogger("tracker.requests")


class DatabaseUnavailableMiddleware:
    """Answer 503 with the site's own page, not a stack trace, when the database
    cannot be reached. Django closes the broken connection at the end of the
    request and health-checks the next one, so the site recovers by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_AWAY):
            return None
        request_log.error(
            "database unavailable",
            extra={"method": request.method, "path": request.path, "error": str(exception)[:200]},
        )
        return database_unavailable_response()


class EmptyAdminToFieldMiddleware:
    """An empty `_to_field` on any admin page is refused as a field admin may
    not reference is: a 400. Django's admin skips its check for an empty
    value, then looks up a field named "" and raises: a 500 on every model's
    change and delete page, ours and auth's and axes's alike (make fuzz)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")):
            values = [request.GET.get(TO_FIELD_VAR)]
            if request.method == "POST":
                values.append(request.POST.get(TO_FIELD_VAR))
            if "" in values:
                raise DisallowedModelAdminToField("An empty field cannot be referenced.")
        return self.get_response(request)


class RequestLogMiddleware:
    """One line per request with method, path, status and duration, for a log collector."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
