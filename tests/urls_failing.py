"""URLs for tests that need a page to fail: included around the real ones."""

from django.db import OperationalError
from django.urls import include, path


def broken_page(request):
    raise RuntimeError("a bug with a secret in it: DATABASE_PASSWORD=hunter2")


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


handler500 = "tracker.views.server_error"

urlpatterns = [
    path("test-broken/", broken_page),
    path("test-database-gone/", database_gone),
    path("", include("tracker.urls")),
]
