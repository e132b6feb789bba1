from django.urls import path

from . import views

app_name = "cases"

# One table and one detail page per kind of record, at stable, shareable URLs.
RECORD_ROUTES = [
    ("actors", "actor"),
    ("facilities", "facility"),
    ("agreements", "agreement"),
    ("transfers", "transfer"),
    ("detainee-groups", "detaineegroup"),
    ("events", "event"),
    ("statements", "statement"),
    ("sources", "source"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("timeline/", views.timeline, name="timeline"),
]
for prefix, name in RECORD_ROUTES:
    urlpatterns += [
        path(
            f"{prefix}/", getattr(views, f"{name.title()}ListView").as_view(), name=f"{name}_list"
        ),
        path(f"{prefix}/<slug:slug>/", getattr(views, f"{name}_detail"), name=f"{name}_detail"),
    ]
