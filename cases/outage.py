"""What a request gets while the database is away: the site's own 503 page.

Used by the project's middleware (tracker/middleware.py) and by the app's
own middleware that reads the database before any view runs (the page cache,
the closed site's login check), so it lives below both."""

from django.db import InterfaceError, OperationalError
from django.template.response import SimpleTemplateResponse

RETRY_AFTER_SECONDS = 30

# A refused or dropped connection and a statement cancelled by the timeout are
# OperationalErrors; a connection that is already closed is an InterfaceError.
DATABASE_AWAY = (OperationalError, InterfaceError)


def database_unavailable_response():
    """The site's own 503 page; it needs no context and no database."""
    response = SimpleTemplateResponse("503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response.render()
