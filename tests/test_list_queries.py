"""Each table page runs a fixed number of queries, whatever the number of
rows: related records are prefetched, facets are one grouped query each, and
the table is counted once."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    make_actor,
    make_agreement,
    make_event,
    make_facility,
    make_group,
    make_source,
    make_statement,
    make_transfer,
)

_numbers = itertools.count(1)


def add_transfer():
    number = next(_numbers)
    make_transfer(
        destination=make_facility(),
        agreement=make_agreement(),
        groups=[make_group()],
        date=f"2025-01-{number % 28 + 1:02d}",
    )


def add_group():
    make_group(alleged_affiliations=[make_actor(), make_actor()], facility=make_facility())


def add_agreement():
    make_agreement(parties=[make_actor(), make_actor()])


def add_event():
    make_event(participants=[make_actor(), make_actor()], facility=make_facility())


# Each adds one row, with every relation its table shows.
ROW_BUILDERS = {
    "/transfers/": add_transfer,
    "/detainee-groups/": add_group,
    "/agreements/": add_agreement,
    "/actors/": lambda: make_actor(country=f"Country {next(_numbers)}"),
    "/facilities/": lambda: make_facility(country=f"Country {next(_numbers)}"),
    "/events/": add_event,
    "/statements/": lambda: make_statement(speaker=make_actor()),
    "/sources/": make_source,
}

# A word in every row each builder adds.
SEARCHED_WORDS = {
    "/transfers/": "transfer",
    "/detainee-groups/": "group",
    "/agreements/": "agreement",
    "/actors/": "actor",
    "/facilities/": "facility",
    "/events/": "event",
    "/statements/": "actor",
    "/sources/": "source",
}


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("url", ROW_BUILDERS)
def test_table_page_query_count_does_not_grow_with_rows(client, db, url):
    add_row = ROW_BUILDERS[url]
    add_row()
    with_one_row = queries_for(client, url)
    for _ in range(7):
        add_row()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    with_eight_rows = [query["sql"] for query in captured.captured_queries]
    assert response.context["table"].paginator.count == 8
    assert len(with_eight_rows) == len(with_one_row), "\n".join(with_eight_rows)


@pytest.mark.parametrize("url", ROW_BUILDERS)
def test_filtered_sorted_staff_page_query_count_does_not_grow_with_rows(staff_client, db, url):
    add_row = ROW_BUILDERS[url]
    add_row()
    # A word every builder's records hold ("Actor actor-1"); statements are
    # found through their speaker, so the search's look-ups are counted too.
    page_url = f"{url}?q={SEARCHED_WORDS[url]}&sort=-slug&per_page=50"
    with_one_row = queries_for(staff_client, page_url)
    for _ in range(7):
        add_row()
    assert len(queries_for(staff_client, page_url)) == len(with_one_row)
    assert staff_client.get(page_url).context["table"].paginator.count == 8


@pytest.mark.parametrize("url", ROW_BUILDERS)
def test_table_is_counted_once(client, db, url):
    ROW_BUILDERS[url]()
    # The rows' count, not a facet's (grouped: on PostgreSQL a table's
    # facets may be counted in one query, cases/facets.py counted_together).
    counts = [
        sql for sql in queries_for(client, url) if "COUNT(*)" in sql and "GROUP BY" not in sql
    ]
    assert len(counts) == 1, counts


@pytest.mark.parametrize("url", ROW_BUILDERS)
def test_export_query_count_does_not_grow_with_rows(client, db, url):
    add_row = ROW_BUILDERS[url]
    add_row()
    export_url = f"{url}?_export=csv"
    with_one_row = queries_for(client, export_url)
    for _ in range(7):
        add_row()
    assert len(queries_for(client, export_url)) == len(with_one_row)


def test_tables_and_filters_run_no_queries_of_their_own(django_assert_num_queries, db):
    import importlib.util

    def run_afresh(name):
        # The module's code run again into a module object of its own, not
        # reloaded in place: a reload would swap the classes every other
        # test (and the registry's dotted paths) reach for new ones.
        spec = importlib.util.find_spec(name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    with django_assert_num_queries(0):
        run_afresh("cases.tables")
        filters = run_afresh("cases.filters")
        # Building the filter form (its options are querysets, not yet run).
        assert "destination" in filters.TransferFilter(data={}).form.fields
