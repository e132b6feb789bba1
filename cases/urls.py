from django.urls import path

from . import feeds, reader_views, views
from .kinds import KINDS

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("timeline/", views.timeline, name="timeline"),
    path("corrections/", views.corrections, name="corrections"),
    path("dossier.pdf", views.case_dossier, name="dossier"),
    path("citations/", views.CitationListView.as_view(), name="citation_list"),
    path("method/", reader_views.method, name="method"),
    path("feeds/records.atom", feeds.PublishedRecordsFeed(), name="records_feed"),
    path("feeds/corrections.atom", feeds.CorrectionsFeed(), name="corrections_feed"),
]
# One table and one page per kind of record, at stable, shareable URLs, and
# their PDF briefs: the table as filtered and sorted, and one record.
for kind in KINDS:
    urlpatterns += [
        path(
            f"{kind.url_prefix}/", views.RecordListView.as_view(kind=kind), name=f"{kind.name}_list"
        ),
        path(
            f"{kind.url_prefix}/brief.pdf",
            views.TableBriefView.as_view(kind=kind),
            name=f"{kind.name}_table_brief",
        ),
        path(
            f"{kind.url_prefix}/<slug:slug>/",
            views.record_detail,
            {"kind": kind},
            name=f"{kind.name}_detail",
        ),
        path(
            f"{kind.url_prefix}/<slug:slug>/brief.pdf",
            views.record_brief,
            {"kind": kind},
            name=f"{kind.name}_brief",
        ),
    ]
