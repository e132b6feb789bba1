"""The home page: what the tracker covers, how much of each, the latest events."""

import datetime
import re

import pytest
from django.urls import reverse

from cases.kinds import KINDS
from tests.factories import make_agreement, make_event, make_group, make_transfer

pytestmark = pytest.mark.django_db

TABLES = [
    "agreement",
    "transfer",
    "detaineegroup",
    "actor",
    "facility",
    "event",
    "statement",
    "source",
]


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def counts(html):
    """{kind: count} as the home page shows them."""
    found = re.findall(
        r'<span class="count">(\d+)</span> <span class="kind-label">([^<]+)</span>', html
    )
    return {label: int(count) for count, label in found}


def test_home_says_what_the_tracker_covers(client, db):
    html = home(client)
    assert html.count("<h1") == 1
    assert "deportations of migrants to El Salvador" in html


def test_home_counts_each_kind_of_record(client, seed):
    assert counts(home(client)) == {
        # The cooperation of paragraph 9 is an event: the article never calls
        # it an agreement (issue 22).
        "Agreements": 2,
        "Transfers": 2,
        "Detainee groups": 3,
        "Actors": 14,
        "Facilities": 3,
        "Events": 5,
        "Statements": 12,
        "Sources": 4,
    }


def test_home_counts_exclude_drafts_except_for_staff(client, staff_user, seed):
    make_agreement(publication_status="draft")
    assert counts(home(client))["Agreements"] == 2
    client.force_login(staff_user)
    assert counts(home(client))["Agreements"] == 3


def test_home_links_into_every_table(client, db):
    html = home(client)
    for table in TABLES:
        assert f'href="{reverse(f"cases:{table}_list")}"' in html


def test_latest_events_are_dated_first_newest_then_undated_by_wording(client, seed):
    make_event(title="Undated hearing", date_stated="in recent weeks", slug="hearing")
    html = home(client)
    latest = html[html.index('id="events-heading"') :]
    meeting, landing, hearing = (
        latest.index(f'href="/events/{slug}/"')
        for slug in (
            "white-house-meeting-april-14",
            "bukele-lands-at-joint-base-andrews",
            "hearing",
        )
    )
    # Undated ones (the landing: the article dates only its report) come after,
    # newest added first.
    assert meeting < hearing < landing
    assert "in recent weeks" in latest
    assert "reported this Saturday" in latest


def test_latest_events_leave_out_drafts(client, db):
    make_event(
        title="Draft event", date=datetime.date(2030, 1, 1), publication_status="draft", slug="d"
    )
    assert 'href="/events/d/"' not in home(client)


def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, db):
    def home_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            home(client)
        return len(queries)

    make_agreement(is_key_figure=True)
    make_event(date=datetime.date(2025, 4, 1))
    few = home_queries()
    for _ in range(10):
        make_agreement(is_key_figure=True)
        make_event(date=datetime.date(2025, 4, 2))
    # One UNION for the counts, the data's age and which records are key
    # figures, one per kind of key figure with its relations, one for the
    # latest events, and the data version the page cache is keyed by:
    # however many records there are.
    assert home_queries() == few
    assert few <= 6


# --- Key figures ---------------------------------------------------------------


def key_figures(html):
    """The items of the home page's key figures, as text, with their links."""
    section = re.search(r'<ul class="key-figures">(.*?)</ul>\s*</?', html, flags=re.S)
    assert section, "no key figures"
    return re.findall(r"<li>(.*?)</li>\s*(?=<li>|$)", section.group(1), flags=re.S)


def figure_for(html, record):
    for item in key_figures(html):
        if f'href="{record.get_absolute_url()}"' in item:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))
    raise AssertionError(f"no key figure for {record.slug}")


def test_key_figures_word_each_marked_record_with_its_caveats_and_link(client, db):
    transfer = make_transfer(count_stated="hundreds", is_key_figure=True, date_stated="lately")
    group = make_group(size_stated="hundreds", accusation="Belonging to a gang", is_key_figure=True)
    agreement = make_agreement(
        title="A pact", status="proposed", claim_status="proposed", is_key_figure=True
    )
    make_transfer(title="Not a key figure")
    html = home(client)
    assert "hundreds (the source states no number)" in figure_for(html, transfer)
    assert "“lately” (the source gives no date)" in figure_for(html, transfer)
    assert "(alleged)" in figure_for(html, group)
    assert "Belonging to a gang" in figure_for(html, group)
    pact = figure_for(html, agreement)
    assert "proposed" in pact and "financial terms not stated" in pact
    assert "Not a key figure" not in " ".join(key_figures(html))
    # Each links to its record, and the link resolves.
    for record in (transfer, group, agreement):
        assert client.get(record.get_absolute_url()).status_code == 200


def test_latest_dated_event_is_a_key_figure_with_its_occurrence(client, db):
    make_event(title="Old meeting", date=datetime.date(2025, 1, 1))
    meeting = make_event(title="Summit", date=datetime.date(2025, 4, 14), occurrence="scheduled")
    figure = figure_for(home(client), meeting)
    assert "scheduled" in figure and "14 April 2025" in figure


def test_a_correction_in_admin_changes_the_key_figure(admin_client, client, db):
    from tests.factories import cite_every_value
    from tests.test_admin import change_form_data

    transfer = make_transfer(count_stated="hundreds", is_key_figure=True)
    cite_every_value(transfer)
    assert "hundreds (the source states no number)" in figure_for(home(client), transfer)
    url = reverse("admin:cases_transfer_change", args=[transfer.pk])
    data = change_form_data(admin_client.get(url))
    data.update(
        count="238", count_stated="238", change_reason="A second count", change_kind="update"
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    figure = figure_for(home(client), transfer)
    assert "238 moved" in figure
    assert "hundreds" not in figure


def test_home_says_when_the_data_was_last_changed(client, db):
    make_transfer()
    assert "Data as of" in home(client)


def test_an_empty_tracker_counts_no_records_and_gives_no_date(client, db):
    page = home(client)
    assert page.count('<span class="count">0</span>') == len(KINDS)
    assert "Data as of" not in page
    assert "No key figures marked yet." in page
