"""Project-wide request handling: a clear 503 while the database is away, and
one structured log line per request."""

import logging
import time

from django.db import InterfaceError, OperationalError
from django.template.response import SimpleTemplateResponse

request_log = logging.getLogger("tracker.requests")

RETRY_AFTER_SECONDS = 30


# A refused or dropped connection and a statement cancelled by the timeout are
# OperationalErrors; a connection that is already closed is an InterfaceError.
DATABASE_AWAY = (OperationalError, InterfaceError)


def database_unavailable_response():
    """The site's own 503 page; it needs no context and no database."""
    response = SimpleTemplateResponse("503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response.render()


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
