"""Random and malformed query strings at every table: never a server error.

Hypothesis builds query strings from the parameters the tables understand
(and random ones), with values that are random text, unicode, huge or
negative numbers, odd dates and raw bytes that are not UTF-8.
"""

from urllib.parse import quote_from_bytes, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LIST_URLS = [
    "/transfers/",
    "/detainee-groups/",
    "/agreements/",
    "/actors/",
    "/facilities/",
    "/events/",
    "/statements/",
    "/sources/",
]

KNOWN_PARAMETERS = [
    "q",
    "page",
    "per_page",
    "sort",
    "_export",
    "destination",
    "agreement",
    "date_after",
    "date_before",
    "claim_status",
    "affiliation",
    "accusation",
    "facility",
    "status",
    "party",
    "kind",
    "country",
    "occurrence",
    "participant",
    "speaker",
]

# Text a URL can carry: any character but lone surrogates, which no encoder accepts.
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)

values = st.one_of(
    any_text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.just("9" * 5000),
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "1e9",
            "NaN",
            "2025-02-30",
            "0000-00-00",
            "99999-01-01",
            "cecot",
            "tren-de-aragua",
            "-date",
            "title,-date,nonsense",
            "csv",
            "json",
            "xlsx",
            "\x00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
        ]
    ),
)
keys = st.one_of(st.sampled_from(KNOWN_PARAMETERS), any_text.filter(bool))
query_strings = st.one_of(
    st.lists(st.tuples(keys, values), max_size=8).map(urlencode),
    # Percent-encoded bytes that need not be UTF-8 at all.
    st.lists(st.tuples(keys, st.binary(max_size=40)), max_size=4).map(
        lambda pairs: "&".join(
            f"{quote_from_bytes(key.encode())}={quote_from_bytes(value)}" for key, value in pairs
        )
    ),
)


@pytest.mark.parametrize("url", LIST_URLS)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query_string=query_strings)
def test_malformed_query_strings_never_give_a_server_error(client, seed, url, query_string):
    response = client.get(f"{url}?{query_string}")
    assert response.status_code < 500


@pytest.mark.parametrize("url", LIST_URLS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query_string=query_strings)
def test_malformed_query_strings_never_give_staff_a_server_error(
    staff_client, seed, url, query_string
):
    response = staff_client.get(f"{url}?{query_string}")
    assert response.status_code < 500


# --- Page numbers past the count cap ----------------------------------------------
# Past TABLE_COUNT_CAP rows the paginator no longer knows the last page, so it
# must bound page numbers itself: a row offset past what the database takes
# (a signed 64-bit integer) was a 500 ("bigint out of range").

MAX_DATABASE_INTEGER = 2**63 - 1

huge_page_numbers = st.one_of(
    st.integers(min_value=2, max_value=10**40),
    st.sampled_from(
        [
            MAX_DATABASE_INTEGER,
            MAX_DATABASE_INTEGER + 1,
            MAX_DATABASE_INTEGER // 100,
            MAX_DATABASE_INTEGER // 100 + 1,
            2**64,
            10**20 - 1,
        ]
    ),
).map(str)
per_page_values = st.one_of(st.just(""), st.integers(min_value=-5, max_value=500).map(str))


@pytest.fixture
def tiny_count_cap(settings):
    """A cap the seed passes on every table with two rows or more."""
    settings.TABLE_COUNT_CAP = 1


@pytest.mark.parametrize("url", LIST_URLS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(page=huge_page_numbers, per_page=per_page_values, sort=st.sampled_from(["", "-slug"]))
def test_huge_page_numbers_past_the_count_cap_never_give_a_server_error(
    client, seed, tiny_count_cap, url, page, per_page, sort
):
    query = urlencode({"page": page, "per_page": per_page, "sort": sort})
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    table = response.context["table"]
    if int(page) > 10**6:
        # Past the end: the rows are counted whole, and the page shown is the last.
        assert f"There is no page {page}" in response.content.decode()
        assert table.page.number == table.paginator.num_pages
        assert not table.page.has_next()
