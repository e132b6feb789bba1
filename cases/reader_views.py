"""Pages for readers that are not record tables or record pages: the method
page and the access messages of the PDF briefs. Kept apart from views.py so
each stays short."""

from django.shortcuts import render

from .method import status_definitions
from .models import Source
from .response_cache import reads_params


@reads_params()
def method(request):
    """What the claim statuses, inferred dates, quote checks and corrections
    mean, and where the data comes from (the sources the reader may see)."""
    sources = Source.objects.visible_to(request.user).order_by("published_on", "title")
    return render(
        request,
        "cases/method.html",
        {"status_definitions": status_definitions(), "sources": sources},
    )
