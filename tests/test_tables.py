"""The record tables: filters, facet counts, text search, sorting, pages,
page size, drafts and bad input, as a reader of the page sees them."""

import re

import pytest
from django.urls import reverse

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

LIST_URL_NAMES = [
    "cases:transfer_list",
    "cases:detaineegroup_list",
    "cases:agreement_list",
    "cases:actor_list",
    "cases:facility_list",
    "cases:event_list",
    "cases:statement_list",
    "cases:source_list",
]


def row_links(response, prefix):
    """The record pages the table's rows link to, in order (e.g. prefix "/transfers/")."""
    body = table_body(response)
    return re.findall(
        rf'<td data-label="[^"]*">{CELL_LABEL}<div class="cell-value"><a href="{re.escape(prefix)}([^/"]+)/"',
        body,
    )


# A cell's label, shown beside its value on a phone's card.
CELL_LABEL = r'<span class="cell-label" aria-hidden="true">[^<]*</span>'


def table_body(response):
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def option_label(response, select_name, value):
    """The text of one option of a filter's <select>, e.g. "Prison (3)"."""
    html = response.content.decode()
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    match = re.search(rf'<option value="{re.escape(value)}"[^>]*>([^<]*)</option>', select)
    return match.group(1) if match else None


# --- The seed, filtered ------------------------------------------------------


@pytest.mark.parametrize("url_name", LIST_URL_NAMES)
def test_every_table_renders_the_seed_with_its_filters(client, seed, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<table" in html and "<caption" in html
    assert '<label for="id_q">' in html
    assert table_body(response).count("<tr") >= 1
    assert "No records match" not in html


def test_filtering_transfers_by_cecot_gives_the_handover_only(client, seed):
    response = client.get("/transfers/?destination=cecot")
    assert row_links(response, "/transfers/") == ["handover-of-17-to-cecot"]


def test_filtering_detainee_groups_by_tren_de_aragua_gives_the_hundreds(client, seed):
    response = client.get("/detainee-groups/?affiliation=tren-de-aragua")
    assert row_links(response, "/detainee-groups/") == ["hundreds-of-deported-migrants"]


def test_filtering_agreements_under_consideration_gives_safe_third_country(client, seed):
    response = client.get("/agreements/?status=under_consideration")
    assert row_links(response, "/agreements/") == ["safe-third-country"]


def test_text_search_box_finds_safe_third_country(client, seed):
    response = client.get("/agreements/", {"q": "Safe Third Country"})
    assert row_links(response, "/agreements/") == ["safe-third-country"]


def test_accusation_filter_matches_words_inside_the_accusation(client, seed):
    response = client.get("/detainee-groups/?accusation=child")
    assert row_links(response, "/detainee-groups/") == ["six-accused-of-child-molestation"]


def test_events_filter_by_date_range_leaves_undated_events_out(client, seed):
    response = client.get("/events/?date_after=2025-04-13&date_before=2025-04-30")
    assert row_links(response, "/events/") == ["white-house-meeting-april-14"]


def test_claim_status_is_a_labelled_badge_and_counts_keep_the_sources_words(client, seed):
    html = client.get("/transfers/").content.decode()
    assert (
        '<a class="badge badge-claim badge-reported" href="/method/#status-reported" '
        'title="What “Reported” means">Reported</a>' in html
    )
    assert (
        '<td data-label="People moved"><span class="cell-label" aria-hidden="true">People moved'
        '</span><div class="cell-value">hundreds (the source states no number)</div></td>' in html
    )
    # An undated transfer shows the source's wording, never a made-up date.
    assert (
        '<div class="cell-value">“the most recent operation” (the source gives no date)</div>'
        in html
    )


def test_names_link_to_record_pages(client, seed):
    html = client.get("/detainee-groups/").content.decode()
    assert '<a href="/detainee-groups/hundreds-of-deported-migrants/">' in html
    assert '<a href="/actors/tren-de-aragua/">Tren de Aragua</a>' in html


# --- Facet counts ------------------------------------------------------------


def test_facet_counts_show_beside_each_option(client, seed):
    response = client.get("/actors/")
    assert option_label(response, "kind", "person") == "Person (5)"
    assert option_label(response, "kind", "criminal_organization") == "Criminal organization (2)"
    assert option_label(response, "country", "El Salvador") == "El Salvador (3)"


def test_facet_counts_reflect_the_other_active_filters(client, seed):
    everything = client.get("/transfers/")
    assert option_label(everything, "agreement", "custody-for-payment").endswith("(1)")
    narrowed = client.get("/transfers/?destination=cecot")
    # The CECOT handover is tied to no agreement.
    assert option_label(narrowed, "agreement", "custody-for-payment").endswith("(0)")
    # A facet does not narrow itself: its own options keep their counts.
    assert option_label(narrowed, "destination", "cecot").endswith("(1)")


def test_facet_counts_follow_the_text_search(client, seed):
    response = client.get("/actors/", {"q": "Secretary"})
    assert option_label(response, "kind", "person") == "Person (2)"
    assert option_label(response, "kind", "government") == "Government (0)"


def test_options_only_list_values_the_records_hold(client, seed):
    response = client.get("/transfers/")
    # Joint Base Andrews is a facility, but no transfer went there.
    assert option_label(response, "destination", "joint-base-andrews") is None


# --- Drafts ------------------------------------------------------------------


@pytest.fixture
def draft_transfer(db):
    prison = make_facility(slug="published-prison", name="Published Prison")
    make_transfer(slug="public-transfer", title="Public transfer", destination=prison)
    return make_transfer(
        slug="secret-transfer",
        title="Secret transfer",
        destination=prison,
        claim_status="disputed",
        publication_status="draft",
    )


def test_draft_transfer_is_hidden_from_anonymous_rows(client, draft_transfer):
    response = client.get("/transfers/")
    assert row_links(response, "/transfers/") == ["public-transfer"]
    assert "Secret transfer" not in response.content.decode()


def test_draft_transfer_is_left_out_of_anonymous_facet_counts(client, draft_transfer):
    response = client.get("/transfers/")
    assert option_label(response, "destination", "published-prison") == "Published Prison (1)"
    # Its claim status is held by no published transfer, so it is not offered at all.
    assert option_label(response, "claim_status", "disputed") is None


def test_draft_transfer_is_shown_to_staff_and_marked(staff_client, draft_transfer):
    response = staff_client.get("/transfers/")
    assert row_links(response, "/transfers/") == ["public-transfer", "secret-transfer"]
    assert option_label(response, "destination", "published-prison") == "Published Prison (2)"
    row = re.search(r'<tr class="is-draft[^"]*">(.*?)</tr>', table_body(response), re.S).group(1)
    assert "Secret transfer" in row
    assert 'class="badge badge-draft"' in row


def test_draft_facility_is_neither_an_option_nor_a_link_for_anonymous(client, db):
    hidden = make_facility(slug="hidden-site", name="Hidden Site", publication_status="draft")
    make_transfer(slug="to-hidden-site", destination=hidden)
    response = client.get("/transfers/")
    html = response.content.decode()
    assert row_links(response, "/transfers/") == ["to-hidden-site"]
    assert "Hidden Site" not in html
    assert option_label(response, "destination", "hidden-site") is None
    # Asking for it by slug is refused like any unknown facility.
    refused = client.get("/transfers/?destination=hidden-site")
    assert refused.status_code == 200
    assert row_links(refused, "/transfers/") == []
    assert "Select a valid choice" in refused.content.decode()


def test_draft_affiliation_is_not_named_in_a_published_groups_row(client, db):
    secret_gang = make_actor(slug="secret-gang", name="Secret Gang", publication_status="draft")
    make_group(slug="public-group", alleged_affiliations=[secret_gang])
    html = client.get("/detainee-groups/").content.decode()
    assert "Secret Gang" not in html


# --- Sorting, pages and page size ---------------------------------------------


def test_sorting_by_a_column_orders_the_rows_both_ways(client, db):
    for name in ["Bravo", "Alpha", "Charlie"]:
        make_actor(slug=name.lower(), name=name)
    assert row_links(client.get("/actors/?sort=name"), "/actors/") == ["alpha", "bravo", "charlie"]
    assert row_links(client.get("/actors/?sort=-name"), "/actors/") == ["charlie", "bravo", "alpha"]


def test_undated_records_sort_last_both_ways(client, db):
    make_event(slug="undated", date=None)
    make_event(slug="early", date="2025-01-01")
    make_event(slug="late", date="2025-06-01")
    assert row_links(client.get("/events/?sort=date"), "/events/") == ["early", "late", "undated"]
    assert row_links(client.get("/events/?sort=-date"), "/events/") == ["late", "early", "undated"]


def test_unknown_sort_column_is_ignored_with_a_notice(client, seed):
    response = client.get("/transfers/?sort=internal_note")
    assert response.status_code == 200
    assert "cannot be sorted by “internal_note”" in response.content.decode()
    assert len(row_links(response, "/transfers/")) == 2


def test_pages_split_the_rows_and_keep_the_filters(client, db):
    for number in range(30):
        make_source(slug=f"source-{number:02d}", kind="ngo_report")
    first = client.get("/sources/?kind=ngo_report")
    assert len(row_links(first, "/sources/")) == 25
    html = first.content.decode()
    assert '<nav class="pagination" aria-label="Pages of the table">' in html
    assert 'href="?kind=ngo_report&amp;page=2"' in html
    second = client.get("/sources/?kind=ngo_report&page=2")
    assert row_links(second, "/sources/") == [f"source-{number}" for number in range(25, 30)]


def test_reader_chooses_the_page_size(client, db):
    for number in range(12):
        make_actor(slug=f"actor-{number:02d}")
    assert len(row_links(client.get("/actors/?per_page=10"), "/actors/")) == 10


def test_page_size_is_capped_at_100(client, db):
    for number in range(105):
        make_actor(slug=f"actor-{number:03d}")
    response = client.get("/actors/?per_page=1000")
    assert len(row_links(response, "/actors/")) == 100
    assert "At most 100 rows fit on a page" in response.content.decode()


@pytest.mark.parametrize("per_page", ["-5", "0", "abc", "9" * 5000, "1e3"])
def test_bad_page_size_falls_back_to_the_default_with_a_notice(client, db, per_page):
    for number in range(30):
        make_actor(slug=f"actor-{number:02d}")
    response = client.get("/actors/", {"per_page": per_page})
    assert response.status_code == 200
    assert len(row_links(response, "/actors/")) == 25
    assert "is not a number of rows; showing 25 rows per page" in response.content.decode()


def test_page_past_the_end_shows_the_last_page_with_a_notice(client, db):
    for number in range(30):
        make_actor(slug=f"actor-{number:02d}")
    response = client.get("/actors/?page=99")
    assert response.status_code == 200
    assert len(row_links(response, "/actors/")) == 5
    assert "There is no page 99; showing the last page, 2." in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "9" * 5000])
def test_bad_page_number_shows_the_first_page_with_a_notice(client, seed, page):
    response = client.get("/actors/", {"page": page})
    assert response.status_code == 200
    assert len(row_links(response, "/actors/")) == 14
    assert "showing the first page" in response.content.decode()


# --- Active filters and bad filter values --------------------------------------


def test_active_filters_are_listed_with_links_to_clear_each_and_all(client, seed):
    response = client.get("/transfers/?destination=cecot&claim_status=reported&sort=title")
    html = response.content.decode()
    assert "Destination facility: <strong>Counter-Terrorism Prison Center (CECOT)</strong>" in html
    assert "Claim status: <strong>Reported</strong>" in html
    # Removing one filter keeps the other and the sort.
    assert (
        'href="/transfers/?claim_status=reported&amp;sort=title" aria-label="Remove filter Destination'
        in html
    )
    assert (
        'href="/transfers/?destination=cecot&amp;sort=title" aria-label="Remove filter Claim status'
        in html
    )
    assert '<a class="clear-all" href="/transfers/?sort=title">Clear all filters</a>' in html


@pytest.mark.parametrize(
    "query, message",
    [
        ({"destination": "nowhere"}, "Select a valid choice"),
        ({"destination": "1"}, "Select a valid choice"),
        ({"claim_status": "certain"}, "Select a valid choice"),
        ({"date_after": "2025-13-45"}, "Enter a valid date"),
        ({"date_before": "yesterday"}, "Enter a valid date"),
        ({"q": "x" * 5000}, "Ensure this value has at most 200 characters"),
        ({"destination": "cecot\x00"}, "Null characters are not allowed"),
    ],
)
def test_invalid_filter_values_give_the_form_error_and_no_rows(client, seed, query, message):
    response = client.get("/transfers/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Some filters could not be used" in html
    assert row_links(response, "/transfers/") == []
    # The page says what it did not understand, with a way to remove it.
    assert "(not recognised)" in html


def test_unknown_country_gives_an_empty_table(client, seed):
    response = client.get("/actors/?country=Atlantis")
    assert response.status_code == 200
    assert row_links(response, "/actors/") == []
    assert "No records match these filters." in response.content.decode()


def test_unknown_parameters_are_ignored(client, seed):
    response = client.get("/agreements/?colour=blue&status=under_consideration")
    assert row_links(response, "/agreements/") == ["safe-third-country"]


def test_statements_filter_by_speaker_and_kind(client, db):
    speaker = make_actor(slug="speaker")
    make_statement(slug="quoted", speaker=speaker, kind="direct_quote")
    make_statement(slug="paraphrased", speaker=speaker, kind="paraphrase")
    make_statement(slug="someone-else", kind="paraphrase")
    response = client.get("/statements/?speaker=speaker&kind=paraphrase")
    assert row_links(response, "/statements/") == ["paraphrased"]


def test_agreements_filter_by_party_lists_each_agreement_once(client, db):
    bukele = make_actor(slug="bukele", name="Bukele")
    agreement = make_agreement(slug="deal", parties=[bukele])
    # The same party in a second role must not duplicate the row.
    agreement.party_roles.create(actor=bukele, role="Signatory")
    response = client.get("/agreements/?party=bukele")
    assert row_links(response, "/agreements/") == ["deal"]
    assert option_label(response, "party", "bukele") == "Bukele (1)"


def test_filter_inputs_have_labels_and_pagination_is_a_labelled_nav(client, db):
    for number in range(30):
        make_transfer(slug=f"transfer-{number:02d}")
    html = client.get("/transfers/").content.decode()
    for name in [
        "q",
        "destination",
        "agreement",
        "date_after",
        "date_before",
        "claim_status",
        "per_page",
    ]:
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html
    assert '<nav class="pagination" aria-label="Pages of the table">' in html


def test_filter_form_carries_the_understood_sort_and_page_size(client, seed):
    html = client.get("/transfers/?sort=-title&sort=nonsense&per_page=50").content.decode()
    assert '<input type="hidden" name="sort" value="-title">' in html
    assert 'value="nonsense"' not in html
    assert '<option value="50" selected>50</option>' in html


def test_statements_table_says_what_each_is_about_and_drops_columns_that_never_vary(client, seed):
    html = client.get("/statements/").content.decode()
    header = html[html.index("<thead") : html.index("</thead>")]
    assert re.search(r"<th[^>]*>\s*About\s*</th>", header)
    assert 'href="/transfers/handover-of-17-to-cecot/"' in table_body(client.get("/statements/"))
    # Every seeded statement is undated: said once, not on every row; the
    # claim status is folded into each statement's cell.
    assert "Date" not in header and "Claim status" not in header
    said = re.search(r'<p class="same-on-every-row">(.*?)</p>', html, flags=re.S).group(1)
    assert "Date not stated" in said
    body = table_body(client.get("/statements/"))
    assert body.count('class="badge badge-claim') >= body.count("<tr")


def test_a_column_that_varies_is_kept(client, db):
    import datetime

    from tests.factories import make_statement

    make_statement(text="One")
    make_statement(text="Two", date=datetime.date(2025, 4, 14))
    header = client.get("/statements/").content.decode()
    assert "Date" in header[header.index("<thead") : header.index("</thead>")]


def facet_list(html, label):
    match = re.search(
        rf'<div class="facet-list">\s*<h3>{re.escape(label)}</h3>(.*?)</div>',
        html,
        flags=re.S,
    )
    assert match, f"no facet list {label}"
    return match.group(1)


def test_facets_are_lists_of_links_with_counts_one_click_filters_another_removes(client, seed):
    from html import unescape

    html = client.get("/transfers/").content.decode()
    destinations = facet_list(html, "Destination facility")
    link = re.search(
        r'<a href="([^"]+)">Counter-Terrorism Prison Center \(CECOT\)</a>\s*'
        r'<span class="facet-count">1</span>',
        destinations,
    )
    assert link, destinations
    filtered = client.get(unescape(link.group(1)))
    assert row_links(filtered, "/transfers/") == ["handover-of-17-to-cecot"]
    chosen = facet_list(filtered.content.decode(), "Destination facility")
    assert 'aria-current="true">Counter-Terrorism Prison Center (CECOT)</strong>' in chosen
    remove = re.search(r'<a class="facet-remove" href="([^"]+)"', chosen).group(1)
    assert "destination=" not in unescape(remove)
    assert len(row_links(client.get(unescape(remove)), "/transfers/")) == 2
