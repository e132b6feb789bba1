import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache

from cases.outage import DATABASE_AWAY, database_unavailable_response


# Answers in a closed site too (SITE_MODE=closed): a load balancer does not log in.
@login_not_required
@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not, for a load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def server_error(request):
    """Django's 500 page, except when what failed is the database being
    away: then the site's 503, whatever raised it. DatabaseUnavailableMiddleware
    answers 503 for errors inside a view; an error outside any view (the
    session saved after it, say) comes here, while it is being handled."""
    if isinstance(sys.exc_info()[1], DATABASE_AWAY):
        return database_unavailable_response()
    return defaults.server_error(request)
