"""The timeline: dated items in date order, undated ones by the source's words."""

import datetime
import re

import pytest

from tests.factories import make_actor, make_event, make_statement, make_transfer

pytestmark = pytest.mark.django_db


def timeline(client):
    response = client.get("/timeline/")
    assert response.status_code == 200
    return response.content.decode()


def split_sections(html):
    """(dated part, undated part) of the timeline page."""
    dated, undated = html.split('<h2 id="undated-heading">')
    return dated, undated


def positions(html, *needles):
    return [html.index(needle) for needle in needles]


def test_seeded_dated_events_come_in_date_order(client, seed):
    make_event(title="Fictional later hearing", date=datetime.date(2025, 5, 2), slug="hearing")
    dated, undated = split_sections(timeline(client))
    meeting, hearing = positions(
        dated,
        'href="/events/white-house-meeting-april-14/"',
        'href="/events/hearing/"',
    )
    assert meeting < hearing
    assert "14 April 2025 (inferred)" in dated
    assert "Why the date is inferred" in dated
    # The article dates the report of the landing, not the landing: it is undated.
    assert 'href="/events/bukele-lands-at-joint-base-andrews/"' in undated
    assert "reported this Saturday" in undated


def test_undated_items_are_shown_apart_by_their_stated_wording(client, seed):
    dated, undated = split_sections(timeline(client))
    handover = 'href="/transfers/handover-of-17-to-cecot/"'
    assert handover not in dated
    item = re.search(
        rf'<li class="timeline-item">((?:(?!</li>).)*{handover}.*?)</li>', undated, re.S
    )
    assert "the most recent operation" in item.group(1)
    assert "<time" not in item.group(1)


def test_events_transfers_and_statements_are_merged_oldest_first(client, db):
    make_statement(text="Said in 2019.", date=datetime.date(2019, 3, 2), slug="said-2019")
    make_transfer(title="Moved in 2021", date=datetime.date(2021, 1, 5), slug="moved-2021")
    make_event(title="Met in 2020", date=datetime.date(2020, 7, 1), slug="met-2020")
    make_event(
        title="Met some month",
        date=datetime.date(2020, 9, 1),
        date_precision="month",
        slug="met-month",
    )
    make_event(title="Met at some point", date_stated="earlier this year", slug="met-undated")
    dated, undated = split_sections(timeline(client))
    order = positions(
        dated,
        'href="/statements/said-2019/"',
        'href="/events/met-2020/"',
        'href="/events/met-month/"',
        'href="/transfers/moved-2021/"',
    )
    assert order == sorted(order)
    assert "September 2020" in dated and "1 September 2020" not in dated
    assert 'href="/events/met-undated/"' in undated
    assert "earlier this year" in undated
    assert ">Statement</span>" in dated and ">Transfer</span>" in dated


def test_timeline_hides_drafts_from_anonymous_and_marks_them_for_staff(client, staff_user):
    make_event(title="Unannounced visit", publication_status="draft", slug="draft-visit")
    make_statement(
        text="Words of an unpublished speaker.",
        speaker=make_actor(name="Hidden Speaker", publication_status="draft"),
    )
    anonymous = timeline(client)
    assert 'href="/events/draft-visit/"' not in anonymous
    assert "Hidden Speaker" not in anonymous
    client.force_login(staff_user)
    staff = timeline(client)
    assert 'href="/events/draft-visit/"' in staff
    assert "badge-draft" in staff
    assert "Hidden Speaker" in staff


def test_timeline_query_count_is_fixed(client, django_assert_max_num_queries, db):
    # Counting and paging each section (4), then each kind's records (3) and
    # the statements' speakers (1), and the data version the page cache is
    # keyed by (1): as many with 40 items as with 140.
    for number in range(20):
        make_statement(date=datetime.date(2024, 1, 1 + number))
        make_event(date=datetime.date(2024, 2, 1 + number))
        make_transfer(date_stated=f"undated operation {number}")
    with django_assert_max_num_queries(9):
        timeline(client)
    for number in range(100):
        make_event(date=datetime.date(2023, 1, 1) + datetime.timedelta(days=number))
    with django_assert_max_num_queries(9):
        assert "Later" in timeline(client)


def test_timeline_pages_each_section_and_survives_bad_page_numbers(client):
    for number in range(105):
        make_event(date=datetime.date(2020, 1, 1) + datetime.timedelta(days=number))
    first = timeline(client)
    assert "Dated items 1–100 of 105" in first
    assert "1 January 2020" in first
    last = client.get("/timeline/?page=2").content.decode()
    assert "Dated items 101–105 of 105" in last
    assert "14 April 2020" in last
    for bad in ["0", "-3", "999999", "abc", "1e9"]:
        assert client.get("/timeline/", {"page": bad, "undated_page": bad}).status_code == 200
