"""Facets as data (cases/facets.py): a ChoiceFacet counts one filter's
options, the FacetRunner counts them all under the cache and the time limit,
and the filter set only filters. The pages that show them are tested in
test_tables.py and test_scale_bounds.py."""

from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cases.facets import SLOW_FACET_HELP, ChoiceFacet, FacetRunner
from cases.filters import TransferFilter
from tests.factories import make_agreement, make_facility, make_transfer


def transfer_filterset(**data):
    request = RequestFactory().get("/transfers/", data)
    request.user = AnonymousUser()
    queryset = TransferFilter._meta.model.objects.visible_to(request.user)
    return TransferFilter(request.GET, queryset=queryset, request=request)


def test_a_facet_counts_its_options_under_the_other_filters(db):
    prison = make_facility(name="Prison")
    make_transfer(destination=prison, claim_status="reported")
    make_transfer(destination=prison, claim_status="confirmed")
    filterset = transfer_filterset(claim_status="reported")
    destinations = ChoiceFacet(filterset, "destination").counted_options()
    assert destinations == [(prison.slug, "Prison", 1)]
    # A facet does not narrow itself.
    statuses = ChoiceFacet(filterset, "claim_status").counted_options()
    counted = {value: count for value, _label, count in statuses}
    assert counted == {"reported": 1, "confirmed": 1}


def test_a_facet_that_timed_out_lists_its_options_without_counts(db):
    make_transfer(destination=make_facility(name="Prison"))
    facet = ChoiceFacet(transfer_filterset(), "destination").result(None)
    assert facet.timed_out
    assert facet.help_text == SLOW_FACET_HELP
    assert [(option.label, option.count) for option in facet.options] == [
        ("Any", None),
        ("Prison", None),
    ]


def test_the_runner_counts_each_facet_once_then_serves_them_from_the_cache(db):
    make_transfer(destination=make_facility(name="Prison"), claim_status="reported")
    first = FacetRunner(transfer_filterset()).facets()
    assert [facet.name for facet in first] == list(TransferFilter.facet_names)
    with CaptureQueriesContext(connection) as captured:
        again = FacetRunner(transfer_filterset()).facets()
    assert again == first
    assert not [query for query in captured.captured_queries if "GROUP BY" in query["sql"]]


def test_the_runner_lists_a_facet_cut_short_without_counts(db, monkeypatch):
    make_transfer(destination=make_facility(name="Prison"), claim_status="reported")
    real_counted_options = ChoiceFacet.counted_options

    def destination_times_out(facet):
        if facet.name == "destination":
            raise OperationalError("interrupted")
        return real_counted_options(facet)

    monkeypatch.setattr(ChoiceFacet, "counted_options", destination_times_out)
    # Narrowed by another filter, each facet is counted alone.
    filterset = transfer_filterset(date_after="2000-01-01")
    facets = {facet.name: facet for facet in FacetRunner(filterset).facets()}
    assert facets["destination"].timed_out
    assert not facets["claim_status"].timed_out


def test_facets_counted_together_give_the_counts_each_gives_alone(db):
    """An unfiltered transfers table counts its three facets in one query on
    PostgreSQL (GROUPING SETS, migration 0025's index): the same options and
    counts, a transfer with no destination or agreement in no option."""
    prison, camp = make_facility(name="Prison"), make_facility(name="Camp")
    agreement = make_agreement()
    make_transfer(destination=prison, agreement=agreement, claim_status="reported")
    make_transfer(destination=prison, claim_status="confirmed")
    make_transfer(destination=camp, agreement=agreement, claim_status="reported")
    make_transfer(destination=None, claim_status="disputed")
    filterset = transfer_filterset()
    alone = {
        name: ChoiceFacet(filterset, name).counted_options() for name in TransferFilter.facet_names
    }
    with CaptureQueriesContext(connection) as captured:
        facets = FacetRunner(transfer_filterset()).facets()
    assert {
        facet.name: [(option.value, option.label, option.count) for option in facet.options[1:]]
        for facet in facets
    } == alone
    assert alone["destination"] == [(camp.slug, "Camp", 1), (prison.slug, "Prison", 2)]
    grouped = [query["sql"] for query in captured.captured_queries if "GROUP BY" in query["sql"]]
    assert len(grouped) == (1 if connection.vendor == "postgresql" else 3), grouped


def test_facets_counted_together_and_cut_short_are_each_listed_without_counts(db, monkeypatch):
    make_transfer(destination=make_facility(name="Prison"), claim_status="reported")

    def times_out(facets):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr("cases.facets.counted_together", times_out)
    facets = FacetRunner(transfer_filterset()).facets()
    together = connection.vendor == "postgresql"
    assert [facet.timed_out for facet in facets] == [together] * 3
