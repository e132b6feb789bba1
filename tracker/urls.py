from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from cases import api, datapackage, reconcile

from . import views

# An error the database being away raises outside any view is a 503 too.
handler500 = "tracker.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Only logging in and out: accounts are made and reset by admins, not by email.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch in every page's header. Exempt from CSRF: the most
    # a forged post could do is change a reader's language, while a token in
    # every header would keep every page out of the page cache.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The read API and its OpenAPI document (cases/api.py).
    path("api/v1/", api.urlpatterns()),
    # The data package, built once per data version (cases/datapackage.py).
    path("data/", include((datapackage.urlpatterns, "data"))),
    # OpenRefine's reconciliation service (cases/reconcile.py).
    path("reconcile", reconcile.service, name="reconcile"),
    path("reconcile/", include((reconcile.urlpatterns, "reconcile"))),
    path("", include("cases.urls")),
]
