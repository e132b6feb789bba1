"""Every page renders, and a draft stays invisible to the public on every page
this suite covers: its own page, and links from the published records around it."""

import re

import pytest
from django.test import Client

from cases.kinds import KINDS
from tests.factories import (
    make_actor,
    make_agreement,
    make_citation,
    make_event,
    make_facility,
    make_group,
    make_source,
    make_statement,
    make_transfer,
)

pytestmark = pytest.mark.django_db


def test_every_page_linked_from_the_navigation_renders(client, seed):
    home = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', home, flags=re.S).group(1)
    links = re.findall(r'href="([^"]+)"', nav)
    assert "/timeline/" in links
    assert "/corrections/" in links
    assert len(links) == 10  # eight tables, the timeline and the corrections log
    for url in ["/", "/search/?q=CECOT", *links]:
        assert client.get(url).status_code == 200, url


def test_every_seeded_record_page_renders(client, seed):
    urls = [record.get_absolute_url() for kind in KINDS for record in kind.model.objects.all()]
    assert len(urls) == 45
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "build",
    [
        make_actor,
        make_facility,
        make_agreement,
        make_transfer,
        make_group,
        make_event,
        make_statement,
        make_source,
    ],
    ids=lambda build: build.__name__,
)
def test_draft_record_is_404_to_anonymous_and_marked_draft_for_staff(client, staff_user, build):
    draft = build(publication_status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(staff_user)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert '<span class="badge badge-draft"' in response.content.decode()


def assert_links_only_for_staff(url, drafts, staff_user):
    """`url` links none of `drafts` for an anonymous reader, and all of them,
    marked as drafts, for staff."""
    anonymous = Client().get(url)
    assert anonymous.status_code == 200
    for draft in drafts:
        assert f'href="{draft.get_absolute_url()}' not in anonymous.content.decode(), draft
    staff = Client()
    staff.force_login(staff_user)
    html = staff.get(url).content.decode()
    for draft in drafts:
        assert f'href="{draft.get_absolute_url()}' in html, draft
    assert "badge-draft" in html
    return anonymous.content.decode(), html


def test_published_transfer_never_links_to_draft_records(staff_user):
    draft_facility = make_facility(publication_status="draft")
    draft_agreement = make_agreement(publication_status="draft")
    draft_sender = make_actor(publication_status="draft")
    draft_group = make_group(publication_status="draft")
    published_group = make_group()
    draft_subgroup = make_group(parent=published_group, publication_status="draft")
    transfer = make_transfer(
        destination=draft_facility,
        agreement=draft_agreement,
        groups=[draft_group, published_group],
    )
    transfer.sent_by.add(draft_sender)
    draft_statement = make_statement(publication_status="draft")
    draft_statement.transfers.add(transfer)
    anonymous, _ = assert_links_only_for_staff(
        transfer.get_absolute_url(),
        [
            draft_facility,
            draft_agreement,
            draft_sender,
            draft_group,
            draft_subgroup,
            draft_statement,
        ],
        staff_user,
    )
    assert f'href="{published_group.get_absolute_url()}"' in anonymous
    # A hidden destination is not passed off as one the source does not state.
    destination = re.search(r"<dt>Destination facility</dt><dd>(.*?)</dd>", anonymous, re.S)
    assert "Not public yet" in destination.group(1)


def test_published_actor_never_links_to_draft_records(staff_user):
    actor = make_actor()
    drafts = [
        make_agreement(parties=[actor], publication_status="draft"),
        make_statement(speaker=actor, publication_status="draft"),
        make_event(participants=[actor], publication_status="draft"),
        make_actor(part_of=actor, publication_status="draft"),
        make_group(alleged_affiliations=[actor], publication_status="draft"),
    ]
    assert_links_only_for_staff(actor.get_absolute_url(), drafts, staff_user)


def test_published_agreement_facility_group_event_statement_never_link_drafts(staff_user):
    draft_actor = make_actor(publication_status="draft")
    agreement = make_agreement(parties=[draft_actor])
    draft_transfer = make_transfer(agreement=agreement, publication_status="draft")
    assert_links_only_for_staff(
        agreement.get_absolute_url(), [draft_actor, draft_transfer], staff_user
    )

    facility = make_facility()
    drafts = [
        make_transfer(destination=facility, publication_status="draft"),
        make_group(facility=facility, publication_status="draft"),
        make_event(facility=facility, publication_status="draft"),
    ]
    assert_links_only_for_staff(facility.get_absolute_url(), drafts, staff_user)

    draft_parent = make_group(publication_status="draft")
    group = make_group(parent=draft_parent, alleged_by=draft_actor)
    assert_links_only_for_staff(group.get_absolute_url(), [draft_parent, draft_actor], staff_user)

    draft_facility = make_facility(publication_status="draft")
    event = make_event(participants=[draft_actor], facility=draft_facility)
    assert_links_only_for_staff(event.get_absolute_url(), [draft_actor, draft_facility], staff_user)

    draft_event = make_event(publication_status="draft")
    statement = make_statement(speaker=draft_actor, event=draft_event)
    anonymous, staff = assert_links_only_for_staff(
        statement.get_absolute_url(), [draft_actor, draft_event], staff_user
    )
    assert draft_actor.name not in anonymous
    assert f"Statement by {draft_actor.name}" in staff


def test_quotes_from_a_draft_source_are_hidden_from_anonymous(staff_user):
    draft_source = make_source(publication_status="draft")
    transfer = make_transfer()
    make_citation(transfer, source=draft_source)
    anonymous, staff = assert_links_only_for_staff(
        transfer.get_absolute_url(), [draft_source], staff_user
    )
    assert "Second paragraph, quoted below." not in anonymous
    assert "Second paragraph, quoted below." in staff


def test_published_source_never_links_to_draft_records_it_supports(staff_user):
    source = make_source()
    draft_transfer = make_transfer(publication_status="draft")
    make_citation(draft_transfer, source=source)
    published_event = make_event()
    make_citation(published_event, source=source)
    anonymous, _ = assert_links_only_for_staff(
        source.get_absolute_url(), [draft_transfer], staff_user
    )
    assert f'href="{published_event.get_absolute_url()}"' in anonymous
