from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Only logging in and out: accounts are made and reset by admins, not by email.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("cases.urls")),
]

if settings.BENCH_CEILING:
    # `make bench` only (see settings.BENCH_CEILING): the ceiling to compare pages with.
    urlpatterns.append(path("bench/ceiling/", views.bench_ceiling))
