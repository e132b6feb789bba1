"""Search across every kind of record, from the header, results grouped by kind."""

import re

import pytest
from django.db import connection

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

pytestmark = pytest.mark.django_db

SAFE_THIRD_COUNTRY = 'href="/agreements/safe-third-country/"'


def search(client, query, **extra):
    response = client.get("/search/", {"q": query}, **extra)
    assert response.status_code == 200
    return response.content.decode()


def without_marks(html):
    """The page with the highlight marks around matched words taken out."""
    return html.replace("<mark>", "").replace("</mark>", "")


def result_groups(html):
    """{kind heading: count} of the result groups on a search page."""
    found = re.findall(r'<h2 id="results-\d+">([^<]+) <span class="muted">\((\d+)\)</span>', html)
    return {label: int(count) for label, count in found}


@pytest.mark.parametrize(
    "query", ["Safe Third Country", '"Safe Third Country"', "safe third country"]
)
def test_search_for_safe_third_country_finds_the_agreement(client, seed, query):
    html = search(client, query)
    assert SAFE_THIRD_COUNTRY in html
    assert result_groups(html)["Agreements"] == 1


def test_results_are_grouped_by_kind_with_counts(client, seed):
    html = search(client, "CECOT")
    groups = result_groups(html)
    assert groups["Facilities"] == 1
    assert groups["Transfers"] == 1
    assert 'href="/facilities/cecot/"' in html
    assert 'href="/transfers/handover-of-17-to-cecot/"' in html
    assert f"{sum(groups.values())} records found for “CECOT”" in html


def test_search_finds_every_kind_of_record(client, db):
    word = "Quetzaltepeque"
    speaker = make_actor(name=f"{word} mayor")
    records = [
        speaker,
        make_facility(name=f"{word} prison"),
        make_agreement(title=f"{word} accord"),
        make_transfer(title=f"Flight to {word}"),
        make_group(name=f"Detainees from {word}"),
        make_event(title=f"Visit to {word}"),
        make_statement(text=f"We will go to {word}.", speaker=make_actor()),
        make_source(title=f"The {word} report"),
    ]
    html = search(client, word)
    for record in records:
        assert f'href="{record.get_absolute_url()}"' in html
    assert len(result_groups(html)) == 8


def test_statement_is_found_by_its_speakers_name(client, seed):
    html = search(client, "Kristi Noem")
    assert 'href="/statements/noem-do-not-come-illegally/"' in html


def test_search_hides_drafts_from_anonymous_and_shows_them_to_staff(client, staff_user):
    make_agreement(title="Secret Tegucigalpa accord", publication_status="draft", slug="secret")
    anonymous = search(client, "Tegucigalpa")
    assert 'href="/agreements/secret/"' not in anonymous
    assert "0 records found" in anonymous
    client.force_login(staff_user)
    staff = search(client, "Tegucigalpa")
    assert 'href="/agreements/secret/"' in staff
    assert "badge-draft" in staff


def test_search_does_not_name_a_draft_speaker(client):
    speaker = make_actor(name="Unpublished Official", publication_status="draft")
    make_statement(text="Words about Ilopango.", speaker=speaker)
    html = without_marks(search(client, "Ilopango"))
    assert "Words about Ilopango." in html
    assert "Unpublished Official" not in html


@pytest.mark.parametrize("query", [None, "", "   ", "\t\n"])
def test_empty_query_gives_a_friendly_prompt_and_no_results(client, seed, query):
    response = client.get("/search/", {} if query is None else {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="search-prompt"' in html
    assert "records found" not in html


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "CECOT " * 300,
        "\x00",
        "CE\x00COT",
        "%",
        "_",
        "'; DROP TABLE cases_actor; --",
        "\\",
        "&|!:*()<>",
        "-",
        '"',
        '"unterminated phrase',
        "or OR and AND not NOT",
        "🦜 émigré 中文",
        "a:* & !b",
    ],
)
def test_long_or_odd_queries_never_fail(client, seed, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_raw_undecodable_query_string_does_not_fail(client, seed):
    response = client.get("/search/?q=%ED%A0%80%FF%00")
    assert response.status_code == 200


def test_very_long_query_is_cut_to_200_characters(client, seed):
    html = search(client, "y" * 500)
    assert f"“{'y' * 200}”" in html
    assert "y" * 201 not in html


def test_results_per_kind_are_limited_with_a_link_to_the_filtered_table(client, db):
    for number in range(53):
        make_actor(name=f"Zacatecoluca official {number:02d}")
    html = search(client, "Zacatecoluca")
    assert result_groups(html)["Actors"] == 53
    results = re.search(r'<ul class="record-list">(.*?)</ul>', html, re.S).group(1)
    assert results.count('href="/actors/actor-') == 50
    assert 'href="/actors/?q=Zacatecoluca"' in html
    assert "Showing 50 of 53" in html


def test_header_search_form_keeps_the_query(client, seed):
    html = search(client, "CECOT")
    assert re.search(r'id="header-search-q"[^>]*value="CECOT"', html)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_postgres_full_text_search_matches_other_forms_of_a_word(client, db):
    make_transfer(title="Migrants deported to El Salvador", slug="deported")
    html = search(client, "deporting")
    assert 'href="/transfers/deported/"' in html


def test_a_common_word_is_counted_up_to_the_cap(client, db, monkeypatch):
    # Counting every match of a common word took a second at 100,000
    # transfers: search counts each kind up to SEARCH_COUNT_CAP, and says so.
    monkeypatch.setattr("cases.views.SEARCH_RESULTS_PER_KIND", 2)
    monkeypatch.setattr("cases.views.SEARCH_COUNT_CAP", 3)
    for number in range(5):
        make_transfer(title=f"Fictional flight {number}")
    make_event(title="Fictional flight event")
    html = client.get("/search/", {"q": "fictional flight"}).content.decode()
    assert "(3+)" in html  # transfers: 5 matches, counted to 3
    assert "Showing 2 of 3+" in html
    assert "(1)" in html  # the event: counted exactly
    assert "More than 4 records found" in html


def test_a_word_under_the_cap_is_counted_exactly(client, db, monkeypatch):
    monkeypatch.setattr("cases.views.SEARCH_RESULTS_PER_KIND", 2)
    for number in range(5):
        make_transfer(title=f"Fictional flight {number}")
    html = client.get("/search/", {"q": "fictional flight"}).content.decode()
    assert "Showing 2 of 5" in html
    assert "5 records found" in html
    assert "More than" not in html
