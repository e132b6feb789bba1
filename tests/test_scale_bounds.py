"""Bounds that keep a page's cost flat as the data grows: the table count is
capped ("10,000+") yet every page stays reachable, a facet that takes too long
is shown without counts instead of holding the page, and the pages that list
records across kinds (home, search, timeline) run a fixed number of queries."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.facets import ChoiceFacet
from tests.factories import (
    make_actor,
    make_event,
    make_facility,
    make_statement,
    make_transfer,
)


@pytest.fixture
def count_cap(settings):
    settings.TABLE_COUNT_CAP = 5
    return settings.TABLE_COUNT_CAP


def add_transfers(number):
    for index in range(number):
        make_transfer(title=f"Transfer {index:03d}", date=f"2025-02-{index % 28 + 1:02d}")


def test_count_above_the_cap_reads_as_cap_plus(client, db, count_cap):
    add_transfers(12)
    response = client.get("/transfers/", {"per_page": 10})
    html = response.content.decode()
    assert "5+ transfers" in html
    assert response.context["table"].paginator.count_is_capped


def test_count_within_the_cap_is_exact(client, db, count_cap):
    add_transfers(4)
    html = client.get("/transfers/").content.decode()
    assert "4 transfers" in html
    assert "4+" not in html


def test_pages_past_the_cap_are_still_reachable(client, db, count_cap):
    add_transfers(12)
    first = client.get("/transfers/", {"per_page": 2})
    assert first.context["table"].paginator.num_pages == 3  # 6 counted rows
    fifth = client.get("/transfers/", {"per_page": 2, "page": 5})
    assert fifth.status_code == 200
    assert len(fifth.context["table"].page.object_list) == 2
    assert fifth.context["table"].page.has_next()
    assert not fifth.context["notices"]


def slugs_page_by_page(client, url, params, pages):
    """The slugs of each of a table's first `pages` pages, in order. (Asked
    logged in: the page cache would answer a second asking.)"""
    return [
        [
            row.record.slug
            for row in client.get(url, {**params, "page": number}).context["table"].page.object_list
        ]
        for number in range(1, pages + 1)
    ]


def test_a_page_past_the_end_of_a_capped_table_shows_the_last_page_it_names(client, db, count_cap):
    # 12 rows, counted to 5 (6 on record): 3 pages known, 6 in truth. Asked
    # for page 50, it said "showing the last page, 3" (issue 28: "page 3920"
    # said 401) though rows went on to page 6.
    add_transfers(12)
    response = client.get("/transfers/", {"per_page": 2, "page": 50})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is no page 50; showing the last page, 6." in html
    table = response.context["table"]
    assert table.page.number == 6
    assert len(table.page.object_list) == 2
    assert not table.page.has_next()
    assert "12 transfers, 11–12 shown" in html
    assert "Page 6 of 6" in html


@pytest.mark.parametrize("sort", ["", "-date", "title", "destination", "-agreement"])
def test_deep_pages_read_keys_first_and_show_the_same_rows(
    admin_client, db, count_cap, monkeypatch, sort
):
    # Past KEYS_FIRST_OFFSET a page reads its rows' keys, then those rows:
    # the same rows in the same order as the one OFFSET query, whatever the sort.
    add_transfers(12)
    params = {"per_page": 2, "sort": sort}
    one_query = slugs_page_by_page(admin_client, "/transfers/", params, pages=6)
    monkeypatch.setattr("cases.pagination.KEYS_FIRST_OFFSET", 2)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get("/transfers/", {**params, "page": 4})
    # Read now: the next request clears the connection's query log.
    statements = [query["sql"] for query in captured]
    keys_first = slugs_page_by_page(admin_client, "/transfers/", params, pages=6)
    assert keys_first == one_query
    assert sum(one_query, []) == sorted(set(sum(one_query, [])), key=sum(one_query, []).index)
    assert len(sum(one_query, [])) == 12
    assert any(sql.startswith('SELECT "cases_transfer"."id" AS "pk"') for sql in statements)


@pytest.mark.parametrize("sort", ["", "-date", "title"])
def test_deep_pages_of_a_filter_through_many_to_many_read_keys_first_too(
    admin_client, db, count_cap, monkeypatch, sort
):
    # A filter through a many-to-many link makes the rows DISTINCT.
    both, other = make_actor(name="Fictional envoy"), make_actor(name="Fictional aide")
    for number in range(9):
        make_event(
            title=f"Fictional meeting {number}",
            date=f"2025-03-{number + 1:02d}",
            participants=[both, other] if number % 3 else [both],
        )
    params = {"per_page": 2, "sort": sort, "participant": both.slug}
    one_query = slugs_page_by_page(admin_client, "/events/", params, pages=5)
    monkeypatch.setattr("cases.pagination.KEYS_FIRST_OFFSET", 2)
    assert slugs_page_by_page(admin_client, "/events/", params, pages=5) == one_query
    assert len(set(sum(one_query, []))) == len(sum(one_query, [])) == 9


def test_page_past_the_last_row_shows_a_notice_not_an_error(client, db, count_cap):
    add_transfers(12)
    response = client.get("/transfers/", {"per_page": 2, "page": 40})
    assert response.status_code == 200
    assert any("There is no page 40" in notice for notice in response.context["notices"])


def test_last_page_past_the_cap_has_no_next_link(client, db, count_cap):
    add_transfers(11)
    response = client.get("/transfers/", {"per_page": 2, "page": 6})
    page = response.context["table"].page
    assert len(page.object_list) == 1
    assert not page.has_next()


def test_table_is_counted_with_one_capped_query(client, db, count_cap):
    add_transfers(8)
    with CaptureQueriesContext(connection) as captured:
        client.get("/transfers/")
    # The rows' count, not the facets' (grouped: on PostgreSQL an unfiltered
    # table's facets are one query, cases/facets.py counted_together).
    counts = [
        query["sql"]
        for query in captured.captured_queries
        if "COUNT(*)" in query["sql"] and "GROUP BY" not in query["sql"]
    ]
    assert len(counts) == 1
    assert "LIMIT 6" in counts[0]


# A query that runs for seconds on either database, unless it is stopped.
SLOW_QUERY = {
    "postgresql": "SELECT pg_sleep(3)",
    "sqlite": (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
        "SELECT count(*) FROM (SELECT x FROM n LIMIT 300000000)"
    ),
}


def test_slow_facet_shows_no_counts_and_the_page_still_answers(client, db, settings, monkeypatch):
    settings.FACET_TIME_LIMIT_MS = 500
    make_transfer(
        destination=make_facility(name="Slow Prison"), claim_status="reported", date="2020-01-01"
    )
    real_counted_options = ChoiceFacet.counted_options

    def slow_destination(self):
        if self.name == "destination":
            with connection.cursor() as cursor:
                cursor.execute(SLOW_QUERY[connection.vendor])
        return real_counted_options(self)

    monkeypatch.setattr(ChoiceFacet, "counted_options", slow_destination)
    started = time.monotonic()
    # Narrowed by another filter, each facet is counted alone (unfiltered,
    # PostgreSQL counts the three in one query: test_facets.py).
    response = client.get("/transfers/?date_after=1900-01-01")
    assert time.monotonic() - started < 2.5
    assert response.status_code == 200
    facets = response.context["facets"]
    assert [facet.label for facet in facets if facet.timed_out] == ["Destination facility"]
    html = response.content.decode()
    assert "Counts took too long" in html
    assert "Slow Prison" in html  # the option is still offered, without a count
    assert "Slow Prison (" not in html
    assert "Reported (1)" in html  # the other facets still count
    # The limit was for the facets alone: the connection's own is back.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] != "500ms"
    else:
        with connection.cursor() as cursor:
            cursor.execute(SLOW_QUERY["sqlite"].replace("300000000", "3000000"))


def test_time_limit_is_set_once_per_request_not_per_facet(client, db):
    make_transfer(destination=make_facility(), claim_status="reported")
    with CaptureQueriesContext(connection) as captured:
        client.get("/transfers/")
    sqls = [query["sql"] for query in captured.captured_queries]
    if connection.vendor == "postgresql":
        assert len([sql for sql in sqls if "statement_timeout" in sql]) == 2  # set, reset
    assert not [sql for sql in sqls if "current_setting" in sql]


def test_fast_facets_keep_their_counts(client, db):
    make_transfer(destination=make_facility(name="Quick Prison"))
    html = client.get("/transfers/").content.decode()
    assert "Quick Prison (1)" in html
    assert "Counts took too long" not in html


def query_count(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def add_dated_records(number):
    for index in range(number):
        day = f"2025-03-{index % 28 + 1:02d}"
        make_transfer(title=f"Common transfer {index}", date=day)
        make_event(title=f"Common event {index}", date=day)
        make_statement(text=f"Common statement {index}", date=day)


@pytest.mark.parametrize(
    ("url", "params"),
    [("/", {}), ("/search/", {"q": "common"}), ("/timeline/", {})],
)
def test_cross_kind_pages_run_a_fixed_number_of_queries(client, db, url, params):
    add_dated_records(1)
    with_few = query_count(client, url, **params)
    add_dated_records(6)
    assert query_count(client, url, **params) == with_few


def test_capped_counts_are_grouped_as_the_readers_language_groups_them(settings):
    # The table's "10,000+" and search's "1,000+" say the cap the same way.
    from django.utils import translation

    from cases.pagination import CappedCountPaginator, capped_count_display

    settings.TABLE_COUNT_CAP = 1_000
    paginator = CappedCountPaginator(list(range(30_000)), 25)
    with translation.override("en"):
        assert paginator.count_display == "1,000+"
        assert capped_count_display(1_234, 10_000) == "1,234"
    with translation.override("es"):
        # Spanish groups thousands with a (non-breaking) space, as the RAE advises.
        assert paginator.count_display == "1\xa0000+"
        assert paginator.num_pages_display == "41+"
        assert capped_count_display(1_001, 1_000) == "1\xa0000+"
        assert capped_count_display(12_345, 100_000) == "12\xa0345"
