from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache


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


# The largest page the ceiling view returns, so it cannot be asked for gigabytes.
BENCH_CEILING_MAX_SIZE = 2_000_000


def bench_ceiling(request):
    """A page of `size` bytes built with no query and no template: what the
    server does for a request at best (routed only under BENCH_CEILING)."""
    try:
        size = min(max(int(request.GET.get("size", 0)), 0), BENCH_CEILING_MAX_SIZE)
    except ValueError:
        size = 0
    return HttpResponse(b"x" * size, content_type="text/html; charset=utf-8")
