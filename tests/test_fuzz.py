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
