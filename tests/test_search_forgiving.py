"""Search that forgives (issue 11.5), on PostgreSQL and SQLite alike: accents
and case, hyphens and spaces, other forms of a word, records found through
the records they are linked to, and the matched words marked in the results."""

import re

import pytest
from django.db import connection

from cases.models import Transfer
from cases.search import fold, highlight, match_spans, search_words
from tests.factories import make_actor, make_facility, make_group, make_statement, make_transfer

pytestmark = pytest.mark.django_db


def search(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def result_links(html):
    """The record links among the results, in order."""
    return re.findall(r'<li><a href="(/[\w-]+/[\w-]+/)">', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Accents and case.
        ("Maria Elvira Salazar", ["/actors/maria-elvira-salazar/"]),
        ("maria elvira salazar", ["/statements/salazar-el-salvador-great-ally/"]),
        # Hyphens and spaces.
        ("MS13", ["/actors/ms-13/", "/detainee-groups/hundreds-of-deported-migrants/"]),
        ("MS 13", ["/actors/ms-13/", "/detainee-groups/hundreds-of-deported-migrants/"]),
        ("ms-13", ["/actors/ms-13/"]),
        # Through the records they are linked to: the group held at CECOT and
        # the statement made there name it nowhere in their own text.
        (
            "CECOT",
            [
                "/facilities/cecot/",
                "/transfers/handover-of-17-to-cecot/",
                "/detainee-groups/seventeen-handed-over/",
                "/detainee-groups/six-accused-of-child-molestation/",
                "/events/noem-visits-cecot/",
                "/statements/noem-do-not-come-illegally/",
            ],
        ),
        # Other forms of a word: "paid" is not "payments" to a stemmer.
        ("paid", ["/statements/bukele-confirms-custody-payments/"]),
        ("deporting", ["/transfers/deportation-of-hundreds/"]),
        ("Kristi Noem", ["/statements/noem-do-not-come-illegally/"]),
    ],
)
def test_forgiving_search_finds_the_records_meant(client, seed, query, expected):
    found = result_links(search(client, query))
    for link in expected:
        assert link in found, f"{query!r} did not find {link}"


def test_cecot_finds_the_17_through_the_facility_they_are_held_at(client, seed):
    # Neither group says "CECOT" in its own fields: only their facility does.
    html = search(client, "CECOT")
    assert re.search(r"Detainee groups <span class=\"muted\">\(2\)</span>", html)


def test_the_page_says_through_which_linked_records_it_found_records(client, seed):
    html = search(client, "CECOT")
    linked = re.search(r'<p class="search-linked muted">(.*?)</p>', html, re.S).group(1)
    assert (
        '<a href="/facilities/cecot/">Counter-Terrorism Prison Center (<mark>CECOT</mark>)'
        in linked
    )


def test_a_word_that_is_nowhere_finds_nothing(client, seed):
    html = search(client, "Xochiquetzal")
    assert "0 records found" in html
    assert result_links(html) == []


def test_matched_words_are_marked_whatever_their_accents_and_hyphens(client, seed):
    html = search(client, "maria elvira salazar")
    assert "<mark>María</mark> <mark>Elvira</mark> <mark>Salazar</mark>" in html
    assert '<a href="/actors/ms-13/"><mark>MS-13</mark></a>' in search(client, "MS13")
    assert "<mark>payments</mark>" in search(client, "paid")


def test_marks_never_split_an_entity_or_a_quotation_mark(client, db):
    make_statement(
        text='He called it a "kidnapping" & a <b>crime</b>.',
        speaker=make_actor(name="Ilobasco spokesperson"),
        slug="ilobasco",
    )
    html = search(client, "kidnapping crime Ilobasco")
    # The marked words are there; the markup the record holds is escaped.
    assert "&quot;<mark>kidnapping</mark>&quot;" in html
    assert "&lt;b&gt;<mark>crime</mark>&lt;/b&gt;" in html
    assert "<b>crime</b>" not in html
    # A statement's words sit in typographic quotation marks, outside any mark.
    assert "“He called it" in html
    assert not re.search(r"<mark>[^<]*[“”]", html)


def test_the_query_is_never_marked_up_inside_attributes(client, seed):
    html = search(client, "CECOT")
    assert 'value="CECOT"' in html
    assert not re.search(r'="[^"]*<mark>', html)
    assert "<title>Search: CECOT" in html


def test_table_text_filter_forgives_too(client, seed):
    response = client.get("/actors/", {"q": "Maria Elvira Salazar"})
    assert 'href="/actors/maria-elvira-salazar/"' in response.content.decode()
    response = client.get("/detainee-groups/", {"q": "CECOT"})
    assert response.context["table"].paginator.count == 2


def test_records_found_through_a_link_follow_corrections(client, db):
    """The index follows every write (SQLite: the FTS5 triggers)."""
    facility = make_facility(name="Izalco prison", slug="izalco")
    group = make_group(name="Group held somewhere", facility=facility, slug="held")
    transfer = make_transfer(title="A transfer to Apopa", slug="apopa")
    assert "/detainee-groups/held/" in search(client, "Izalco")
    facility.name = "Sonsonate prison"
    facility.save()
    assert "/detainee-groups/held/" not in search(client, "Izalco")
    assert "/detainee-groups/held/" in search(client, "Sonsonate")
    assert "/transfers/apopa/" in search(client, "Apopa")
    Transfer.objects.filter(pk=transfer.pk).update(title="A transfer to Zaragoza")
    assert "/transfers/apopa/" not in search(client, "Apopa")
    assert "/transfers/apopa/" in search(client, "Zaragoza")
    transfer.delete()
    group.delete()
    assert "0 records found" in search(client, "Zaragoza")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's search index")
def test_sqlite_search_index_is_rebuilt_when_a_migration_drops_its_triggers(db):
    from cases.search_index import check_sqlite_search_index, sqlite_trigger_names

    make_transfer(title="Transfer to Chalatenango", slug="chalatenango")
    with connection.cursor() as cursor:
        for name in sqlite_trigger_names("cases_transfer"):
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute(
            """INSERT INTO "cases_transfer_search"("cases_transfer_search") VALUES ('delete-all')"""
        )
    assert not Transfer.objects.search("Chalatenango", None).exists()
    check_sqlite_search_index()
    assert Transfer.objects.search("Chalatenango", None).exists()
    make_transfer(title="Transfer to Usulután", slug="usulutan")
    assert Transfer.objects.search("usulutan", None).exists()


# --- Units ------------------------------------------------------------------------


def test_fold_removes_accents_case_and_joiners():
    assert fold("María Elvira") == "maria elvira"
    assert fold("MS-13") == fold("MS13") == "ms13"
    assert fold("U.S.") == "us"
    assert fold("world’s") == "worlds"


def test_search_words_leave_out_what_cannot_match():
    assert search_words('"Safe Third Country"') == ["safe", "third", "country"]
    assert search_words("- & ||") == []
    assert search_words("CECOT cecot") == ["cecot"]
    assert len(search_words(" ".join(f"w{n}" for n in range(50)))) == 12


def test_match_spans_cover_whole_words():
    assert match_spans("Counter-Terrorism Prison", "terror") == [(8, 17)]
    assert match_spans("", "x") == []
    assert str(highlight("a <b> & MS-13", "ms13")) == "a &lt;b&gt; &amp; <mark>MS-13</mark>"
    # Marked before escaping, so an entity is never split by a mark.
    assert (
        str(highlight('a "quoted" & b', "quot amp")) == "a &quot;<mark>quoted</mark>&quot; &amp; b"
    )
