"""The home page: what the tracker covers, how much of each, the latest events."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import make_agreement, make_event

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
        "Agreements": 3,
        "Transfers": 2,
        "Detainee groups": 3,
        "Actors": 14,
        "Facilities": 3,
        "Events": 4,
        "Statements": 10,
        "Sources": 4,
    }


def test_home_counts_exclude_drafts_except_for_staff(client, staff_user, seed):
    make_agreement(publication_status="draft")
    assert counts(home(client))["Agreements"] == 3
    client.force_login(staff_user)
    assert counts(home(client))["Agreements"] == 4


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
    assert meeting < landing < hearing
    assert "in recent weeks" in latest


def test_latest_events_leave_out_drafts(client, db):
    make_event(
        title="Draft event", date=datetime.date(2030, 1, 1), publication_status="draft", slug="d"
    )
    assert 'href="/events/d/"' not in home(client)


def test_home_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, db):
    for _ in range(10):
        make_agreement()
        make_event()
    # One UNION for the counts, one for the latest events, and the data
    # version the page cache is keyed by.
    with django_assert_max_num_queries(3):
        home(client)
