from django.apps import apps
from django.urls import path

from . import feeds, reader_views, views

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
    path("corrections/", views.corrections, name="corrections"),
    path("dossier.pdf", views.case_dossier, name="dossier"),
    path("method/", reader_views.method, name="method"),
    path("feeds/records.atom", feeds.PublishedRecordsFeed(), name="records_feed"),
    path("feeds/corrections.atom", feeds.CorrectionsFeed(), name="corrections_feed"),
]
for prefix, name in RECORD_ROUTES:
    urlpatterns += [
        path(
            f"{prefix}/", getattr(views, f"{name.title()}ListView").as_view(), name=f"{name}_list"
        ),
        path(f"{prefix}/<slug:slug>/", getattr(views, f"{name}_detail"), name=f"{name}_detail"),
        # PDF briefs: the table as filtered and sorted, and one record.
        path(
            f"{prefix}/brief.pdf",
            getattr(views, f"{name.title()}TableBriefView").as_view(),
            name=f"{name}_table_brief",
        ),
        path(
            f"{prefix}/<slug:slug>/brief.pdf",
            views.record_brief,
            {"model": apps.get_model("cases", name)},
            name=f"{name}_brief",
        ),
    ]
