"""Public, read-only pages. Views stay thin: queries live in querysets.py,
columns in tables.py, filters in filters.py."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView

from .models import Actor, Agreement, DetaineeGroup, Event, Facility, Source, Statement, Transfer
from .querysets import clean_search_text, count_each

# --- Home, search, timeline -------------------------------------------------


# Every kind of record, in the order the home page and search list them.
RECORD_KINDS = (Agreement, Transfer, DetaineeGroup, Actor, Facility, Event, Statement, Source)
LATEST_EVENTS_ON_HOME = 5
SEARCH_RESULTS_PER_KIND = 50
TIMELINE_KINDS = (Event, Transfer, Statement)


def table_url(model, **params):
    url = reverse(f"cases:{model._meta.model_name}_list")
    return f"{url}?{urlencode(params)}" if params else url


def home(request):
    counts = count_each([model.objects.visible_to(request.user) for model in RECORD_KINDS])
    kinds = [
        {"label": model._meta.verbose_name_plural, "count": count, "url": table_url(model)}
        for model, count in zip(RECORD_KINDS, counts, strict=True)
    ]
    latest_events = (
        Event.objects.visible_to(request.user)
        .for_listing(request.user)
        .latest_first()[:LATEST_EVENTS_ON_HOME]
    )
    return render(request, "cases/home.html", {"kinds": kinds, "latest_events": latest_events})


def search(request):
    query = clean_search_text(request.GET.get("q", ""))
    kinds = [_search_kind(model, query, request.user) for model in RECORD_KINDS] if query else []
    return render(
        request,
        "cases/search.html",
        {
            "search_query": query,
            "kinds_found": [kind for kind in kinds if kind["total"]],
            "kinds_not_found": [kind for kind in kinds if not kind["total"]],
            "total": sum(kind["total"] for kind in kinds),
            "results_per_kind": SEARCH_RESULTS_PER_KIND,
        },
    )


def _search_kind(model, query, user):
    matches = model.objects.visible_to(user).search(query)
    results = list(matches.for_listing(user)[: SEARCH_RESULTS_PER_KIND + 1])
    # Most searches fit on the page, and then the rows are the count.
    total = matches.count() if len(results) > SEARCH_RESULTS_PER_KIND else len(results)
    return {
        "label": model._meta.verbose_name_plural,
        "results": results[:SEARCH_RESULTS_PER_KIND],
        "total": total,
        "table_url": table_url(model, q=query),
    }


def timeline(request):
    """Dated items oldest first; undated ones apart, by the source's wording,
    because placing them anywhere on the line would invent a date."""
    items = [
        record
        for model in TIMELINE_KINDS
        for record in model.objects.visible_to(request.user).for_listing(request.user)
    ]

    def kind_then_slug(record):
        return (TIMELINE_KINDS.index(type(record)), record.slug)

    dated = sorted(
        (record for record in items if record.date),
        key=lambda record: (record.date, *kind_then_slug(record)),
    )
    undated = sorted((record for record in items if not record.date), key=kind_then_slug)
    return render(request, "cases/timeline.html", {"dated": dated, "undated": undated})


# --- Tables ---------------------------------------------------------------


class _PlaceholderList(TemplateView):
    template_name = "cases/home.html"


ActorListView = FacilityListView = AgreementListView = TransferListView = _PlaceholderList
DetaineegroupListView = EventListView = StatementListView = SourceListView = _PlaceholderList


# --- Detail pages ------------------------------------------------------------


def record_context(request, model, slug):
    """Everything a record's page (and its PDF brief) shows: the record, its
    citations and its related records, by relation name (see each QuerySet's
    detail_relations), each only as far as the reader may see them.

    Raises Http404 when there is no such record or the reader may not see it
    (a draft, to anyone but staff)."""
    records = model.objects.visible_to(request.user).for_detail(request.user)
    record = records.filter(slug=slug).first()
    if record is None:
        raise Http404(f"No {model._meta.verbose_name} at this address.")
    # The seed and new records start with a "+" entry; "~" entries are edits.
    latest_correction = record.history.filter(history_type="~").first()
    context = {
        "record": record,
        "kind": model._meta.verbose_name,
        "kind_plural": model._meta.verbose_name_plural,
        "table_url": table_url(model),
        "last_corrected": latest_correction.history_date if latest_correction else None,
        **records.detail_relations_of(record),
    }
    if model is Transfer:
        context["group_tree"] = _group_tree(context["groups"])
    if model is Source:
        context["paragraphs"] = record.paragraphs
        context["citations_by_record"] = _citations_by_record(context["citations"])
    return context


def _group_tree(groups):
    """The transfer's groups that are not part of another of its groups; each
    lists its own subgroups (the six within the 17)."""
    ids = {group.pk for group in groups}
    return [group for group in groups if group.parent_id not in ids]


def _citations_by_record(citations):
    """[(record, [its citations])], records in the order the source first
    supports them."""
    grouped = {}
    for citation in citations:
        record = citation.record
        grouped.setdefault((type(record), record.pk), (record, []))[1].append(citation)
    return list(grouped.values())


def actor_detail(request, slug):
    return render(request, "cases/actor_detail.html", record_context(request, Actor, slug))


def facility_detail(request, slug):
    return render(request, "cases/facility_detail.html", record_context(request, Facility, slug))


def agreement_detail(request, slug):
    return render(request, "cases/agreement_detail.html", record_context(request, Agreement, slug))


def transfer_detail(request, slug):
    return render(request, "cases/transfer_detail.html", record_context(request, Transfer, slug))


def detaineegroup_detail(request, slug):
    return render(
        request, "cases/detaineegroup_detail.html", record_context(request, DetaineeGroup, slug)
    )


def event_detail(request, slug):
    return render(request, "cases/event_detail.html", record_context(request, Event, slug))


def statement_detail(request, slug):
    return render(request, "cases/statement_detail.html", record_context(request, Statement, slug))


def source_detail(request, slug):
    return render(request, "cases/source_detail.html", record_context(request, Source, slug))
