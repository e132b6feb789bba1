"""Query budgets of the pages readers load most (issue 14): a transfers table
page at most 12 queries on a cache miss, a transfer's page at most 10, both
whatever the number of rows. Measured outside a test transaction, as a web
request runs (autocommit): inside one, each facet would also need a
savepoint for its time limit (see cases/time_limit.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.kinds import KINDS
from tests.factories import (
    make_agreement,
    make_facility,
    make_group,
    make_statement,
    make_transfer,
)

# Every statement a request sends counts: on PostgreSQL that includes the
# facets' time limit, set once and reset once (cases/time_limit.py; the reset
# is needed because connections outlive a request, CONN_MAX_AGE), and with a
# text filter the one lookup of the linked records its words name (issue 11).
TABLE_BUDGET = 12
# Including the read of the data version the page cache keys pages by.
RECORD_BUDGET = 10
# The home page with a key figure of every kind, nothing cached (issue 25):
# the data version, one query for the counts, the newest date and which
# records are key figures, one per kind of key figure (and a transfer's
# groups with their subgroups, a statement's speaker), the latest events.
HOME_BUDGET = 14


def add_transfers(number):
    for _ in range(number):
        make_transfer(
            destination=make_facility(), agreement=make_agreement(), groups=[make_group()]
        )


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "url",
    [
        "/transfers/",
        "/transfers/?claim_status=reported&sort=-date",
        "/transfers/?q=transfer&page=2&per_page=10",
    ],
)
def test_transfers_table_runs_at_most_12_queries_whatever_the_rows(client, url):
    add_transfers(2)
    few = queries(client, url)
    add_transfers(20)
    many = queries(client, url)
    assert len(many) <= TABLE_BUDGET, "\n".join(many)
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.django_db(transaction=True)
def test_transfer_page_runs_at_most_10_queries_whatever_its_links(client):
    transfer = make_transfer(
        destination=make_facility(), agreement=make_agreement(), groups=[make_group()]
    )
    few = queries(client, transfer.get_absolute_url())
    transfer.groups.add(*[make_group() for _ in range(5)])
    many = queries(client, transfer.get_absolute_url())
    assert len(many) <= RECORD_BUDGET, "\n".join(many)
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.django_db(transaction=True)
def test_a_record_page_reads_only_the_lists_that_hold_something(client):
    """One query of the link tables says which of a record's lists hold any
    row (issue 25): a transfer no statement speaks of sends no query for its
    statements, one a statement speaks of reads them and lists them, and a
    list holding only a draft still reads as empty to the public."""
    transfer = make_transfer(destination=make_facility())
    statement_reads = [
        sql
        for sql in queries(client, transfer.get_absolute_url())
        if 'FROM "cases_statement"' in sql
    ]
    assert statement_reads == []
    make_statement(text="Said of the transfer.").transfers.add(transfer)
    make_statement(text="A draft's words.", publication_status="draft").transfers.add(transfer)
    page = client.get(transfer.get_absolute_url()).content.decode()
    assert "Said of the transfer." in page
    assert "A draft&#x27;s words." not in page and "A draft's words." not in page
    draft_only = make_transfer()
    make_statement(text="Only a draft.", publication_status="draft").transfers.add(draft_only)
    page = client.get(draft_only.get_absolute_url()).content.decode()
    assert "Only a draft." not in page
    assert "No statements recorded." in page


@pytest.mark.django_db
def test_a_refused_table_brief_counts_rather_than_loads_its_rows(brief_client, monkeypatch):
    """A brief of more rows than it prints is refused after one bounded
    count: no row is read, no facet counted (it answered in 28 s at 100,000
    transfers when it loaded every row to count them)."""
    monkeypatch.setattr("cases.views.TABLE_BRIEF_ROW_CAP", 2)
    add_transfers(3)
    with CaptureQueriesContext(connection) as captured:
        response = brief_client.get("/transfers/brief.pdf")
    assert response.status_code == 200
    assert "These filters match 3 rows; a PDF brief prints at most 2." in response.content.decode()
    row_reads = [
        query["sql"]
        for query in captured.captured_queries
        if "cases_transfer" in query["sql"] and "COUNT(" not in query["sql"].upper()
    ]
    assert row_reads == []


@pytest.mark.django_db(transaction=True)
def test_a_table_page_counts_its_rows_and_facets_without_joining_other_tables(client):
    """A table's count and its facet counts read the table alone (with a
    covering index): a sort key through a relation is a subquery that only a
    sort by it runs, not a join every query built from the rows keeps (issue
    25: at 100,000 transfers the joins made each facet read every row)."""
    add_transfers(3)
    counting = [
        sql
        for sql in queries(client, "/transfers/")
        if "COUNT(" in sql and "cases_transfer" in sql.split("FROM", 1)[1]
    ]
    # The page count and three facets: on PostgreSQL the facets are one
    # query, grouped three ways (cases/facets.py, counted_together).
    assert len(counting) >= (2 if connection.vendor == "postgresql" else 4), counting
    assert not [sql for sql in counting if "JOIN" in sql], "\n".join(counting)


@pytest.mark.django_db(transaction=True)
def test_home_key_figures_load_only_what_their_sentences_read(client, seed):
    """The home page's key figures (one of every kind that has them, on the
    seed) read their words, the speaker, the claimant and whether a quote
    stands behind them, not each record's whole page: 62 queries when every
    list a figure's page shows was loaded, 26 when each kind's quotes were,
    14 now."""
    for kind in KINDS:
        if any(field.name == "is_key_figure" for field in kind.model._meta.fields):
            first = kind.model.objects.published().order_by("pk").values("pk")[:1]
            kind.model.objects.filter(pk__in=first).update(is_key_figure=True)
    home = queries(client, "/")
    assert len(home) <= HOME_BUDGET, "\n".join(home)


# The search page (issue 25): the data version; the names the words match in
# the kinds records are found through (a query, and one more for a kind whose
# own search looks through names); each kind's rows with their number of
# matches (one query a kind, 8); and the linked records named, one query per
# kind that has any (at most 6).
SEARCH_BUDGET = 17


@pytest.mark.django_db(transaction=True)
def test_search_page_runs_at_most_17_queries_however_many_match(client):
    def add_matches(number):
        for _ in range(number):
            make_transfer(
                title="Fictional Ximilpa flight",
                destination=make_facility(name="Ximilpa annex"),
                groups=[make_group(name="Ximilpa cohort")],
            )

    add_matches(2)
    few = queries(client, "/search/?q=ximilpa")
    add_matches(60)
    many = queries(client, "/search/?q=ximilpa")
    assert len(few) <= SEARCH_BUDGET, "\n".join(few)
    # No count of its own for a kind with more matches than it shows.
    assert len(many) <= len(few), "\n".join(many)
    assert not [query for query in many if "COUNT(*)" in query.upper()]
