from django.http import HttpResponse

# The largest page the ceiling view returns, so it cannot be asked for gigabytes.
CEILING_MAX_SIZE = 2_000_000


def ceiling(request):
    """A page of `size` bytes built with no query and no template: what the
    server does for a request at best, to compare the pages with (`make bench`)."""
    try:
        size = min(max(int(request.GET.get("size", 0)), 0), CEILING_MAX_SIZE)
    except ValueError:
        size = 0
    return HttpResponse(b"x" * size, content_type="text/html; charset=utf-8")
