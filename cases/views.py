"""Public, read-only pages. Views stay thin: queries live in querysets.py,
columns in tables.py, filters in filters.py."""

from django.http import Http404
from django.shortcuts import render
from django.views.generic import TemplateView

# --- Home, search, timeline -------------------------------------------------


def home(request):
    return render(request, "cases/home.html")


def search(request):
    raise Http404("Not built yet")


def timeline(request):
    raise Http404("Not built yet")


# --- Tables ---------------------------------------------------------------


class _PlaceholderList(TemplateView):
    template_name = "cases/home.html"


ActorListView = FacilityListView = AgreementListView = TransferListView = _PlaceholderList
DetaineegroupListView = EventListView = StatementListView = SourceListView = _PlaceholderList


# --- Detail pages ------------------------------------------------------------


def _placeholder_detail(request, slug):
    raise Http404("Not built yet")


actor_detail = facility_detail = agreement_detail = transfer_detail = _placeholder_detail
detaineegroup_detail = event_detail = statement_detail = source_detail = _placeholder_detail
