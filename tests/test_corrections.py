"""The public corrections log: every change to a published record after it was
published, with what changed and why; never drafts, never internal notes."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Actor, Agreement, DetaineeGroup, Transfer
from cases.views import CORRECTIONS_PER_PAGE
from tests.factories import (
    cite_every_value,
    make_actor,
    make_agreement,
    make_group,
    make_statement,
    make_transfer,
)
from tests.test_admin import _form_fields, change_form_data
from tests.test_pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    """A member of the Admins role, as `assign_role` makes one."""
    django_user_model.objects.create_user("desk-admin", password="not used")
    call_command("assign_role", "desk-admin", "admin", stdout=StringIO())
    client.force_login(django_user_model.objects.get(username="desk-admin"))
    return client


def correct(record, reason, **changes):
    """Save changes to `record` with a reason, as admin does."""
    for name, value in changes.items():
        setattr(record, name, value)
    record._change_reason = reason
    record.save()
    del record._change_reason
    return record


def edit_in_admin(client, record, reason, **changes):
    change_url = reverse(f"admin:cases_{record._meta.model_name}_change", args=[record.pk])
    data = change_form_data(client.get(change_url))
    data.update(changes)
    data["change_reason"] = reason
    data["change_kind"] = "correction"
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record.refresh_from_db()
    return record


def log_entries(client, **params):
    """The log's entries as (record title, changed fields, reason), newest first."""
    response = client.get(reverse("cases:corrections"), params)
    assert response.status_code == 200
    return [
        (str(entry.record), entry.changed_fields, entry.reason)
        for entry in response.context["corrections"]
    ]


def html(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# --- What the log lists ------------------------------------------------------------


def test_a_correction_made_in_admin_appears_in_the_log_and_on_the_records_page(
    admin_client, client, seed
):
    agreement = Agreement.objects.get(slug="safe-third-country")
    edit_in_admin(
        admin_client,
        agreement,
        "The article says the agreement was only discussed, not proposed",
        claim_status="reported",
    )
    admin_client.logout()

    log = html(client, reverse("cases:corrections"))
    assert f'href="{agreement.get_absolute_url()}"' in log
    assert (
        "Claim status:</span> <del><mark>Proposed</mark></del> → <ins><mark>Reported</mark></ins>"
        in log
    )
    assert "The article says the agreement was only discussed, not proposed" in log

    page = html(client, agreement.get_absolute_url())
    corrected = agreement.history.first().history_date
    assert f'<time datetime="{corrected.isoformat()}">' in page
    own_log_url = f"{reverse('cases:corrections')}?record=agreement%3Asafe-third-country"
    assert f'href="{own_log_url}"' in page
    assert log_entries(client, record="agreement:safe-third-country") == [
        (
            agreement.title,
            ["claim status"],
            "The article says the agreement was only discussed, not proposed",
        )
    ]


def test_the_log_is_newest_first_and_names_each_changed_field(client, db):
    transfer = make_transfer(title="Flight of March")
    actor = make_actor(name="A minister", role="Minister")
    correct(transfer, "The source dates it", date=datetime.date(2025, 3, 15))
    correct(actor, "Title and country were wrong", role="Vice-minister", country="El Salvador")
    correct(transfer, "Count as stated", count_stated="238", count=238)
    assert log_entries(client) == [
        ("Flight of March", ["count", "count stated"], "Count as stated"),
        ("A minister", ["country", "role or title"], "Title and country were wrong"),
        ("Flight of March", ["date"], "The source dates it"),
    ]


def test_a_record_page_links_only_to_its_own_corrections(client, db):
    first = make_agreement(title="First pact")
    second = make_agreement(title="Second pact")
    correct(first, "Retitled", title="First pact, renamed")
    correct(second, "Summary added", summary="What the source says.")
    own = log_entries(client, record=f"agreement:{first.slug}")
    assert own == [("First pact, renamed", ["title"], "Retitled")]
    assert "Not corrected since it was added" not in html(client, first.get_absolute_url())


def test_an_uncorrected_record_says_so_and_links_to_no_log(client, db):
    agreement = make_agreement()
    page = html(client, agreement.get_absolute_url())
    assert "Not corrected since it was added" in page
    assert "?record=" not in page


def test_a_change_to_linked_records_is_listed_with_its_reason(admin_client, client, seed):
    group = DetaineeGroup.objects.get(slug="hundreds-of-deported-migrants")
    tren_de_aragua = Actor.objects.get(slug="tren-de-aragua")
    edit_in_admin(
        admin_client,
        group,
        "The article ties them to Tren de Aragua only",
        alleged_affiliations=[tren_de_aragua.pk],
    )
    assert list(group.alleged_affiliations.all()) == [tren_de_aragua]
    assert log_entries(client) == [
        (
            group.name,
            ["alleged affiliations"],
            "The article ties them to Tren de Aragua only",
        )
    ]


# --- What the log never lists ------------------------------------------------------


def test_edits_to_a_draft_never_appear_and_publishing_is_not_a_correction(admin_client, client, db):
    agreement = make_agreement(title="Early draft", publication_status="draft")
    cite_every_value(agreement)
    edit_in_admin(admin_client, agreement, "Still drafting", title="Better draft")
    edit_in_admin(admin_client, agreement, "Ready", publication_status="published")
    admin_client.logout()
    assert log_entries(client) == []
    assert "Not corrected since it was added" in html(client, agreement.get_absolute_url())

    correct(agreement, "A typo in the title", title="Better draft, fixed")
    assert log_entries(client) == [("Better draft, fixed", ["title"], "A typo in the title")]


def test_a_record_taken_back_to_draft_is_a_withdrawal_on_the_log_and_no_more(
    client, staff_user, db
):
    agreement = make_agreement(title="Public for a while")
    correct(agreement, "Retitled", title="Public for a while, retitled")
    assert len(log_entries(client)) == 1
    correct(agreement, "Withdrawn pending checks", publication_status="draft")
    correct(agreement, "Checking", title="Under review")
    # Its withdrawal, by its last published title, and nothing it held or
    # became since: not the earlier retitle, not the draft's own edits.
    assert len(log_entries(client)) == 1
    page = html(client, reverse("cases:corrections"))
    assert "Public for a while, retitled" in page and "Withdrawn pending checks" in page
    assert "Under review" not in page and "Checking" not in page
    client.force_login(staff_user)  # an editor, who sees drafts
    assert [entry[2] for entry in log_entries(client)] == ["Withdrawn pending checks"]
    assert log_entries(client, record=f"agreement:{agreement.slug}") == []


def test_internal_notes_are_never_a_correction_nor_named_in_the_log(client, db):
    secret = "Source is a cousin of the minister"
    agreement = make_agreement(title="Pact")
    correct(agreement, "Note for the desk", internal_note=secret)
    assert log_entries(client) == []
    correct(agreement, "Retitled; note updated", title="Pact, renamed", internal_note=f"{secret}!")
    assert log_entries(client) == [("Pact, renamed", ["title"], "Retitled; note updated")]
    page = html(client, reverse("cases:corrections"))
    assert secret not in page
    assert "internal" not in page.lower()


def test_a_save_that_changes_nothing_without_a_reason_is_not_listed(client, db):
    agreement = make_agreement()
    agreement.save()
    assert log_entries(client) == []


def test_loading_and_reloading_the_seed_is_not_a_correction(client, seed):
    call_command("load_seed", force=True, verbosity=0)
    assert log_entries(client) == []
    assert "Not corrected since it was added" in html(client, "/agreements/safe-third-country/")


# --- Reverting in admin ----------------------------------------------------------


def test_a_revert_restores_the_earlier_values_and_appears_with_its_reason(
    admin_client, client, seed
):
    actor = Actor.objects.get(slug="marco-rubio")
    edit_in_admin(admin_client, actor, "Mistaken edit", role="Wrong title")
    seeded_version = actor.history.earliest()
    revert_url = reverse(
        "admin:cases_actor_simple_history", args=[actor.pk, seeded_version.history_id]
    )
    revert_form = admin_client.get(revert_url)
    assert revert_form.status_code == 200
    data = _form_fields(revert_form.context["adminform"].form)
    data["change_reason"] = "Revert the mistaken edit"
    data["change_kind"] = "correction"
    assert admin_client.post(revert_url, data).status_code == 302

    actor.refresh_from_db()
    assert actor.role == "U.S. Secretary of State"
    assert log_entries(client) == [
        (actor.name, ["role or title"], "Revert the mistaken edit"),
        (actor.name, ["role or title"], "Mistaken edit"),
    ]
    assert "U.S. Secretary of State" in html(client, actor.get_absolute_url())


# --- Pages, bad input and speed ---------------------------------------------------


def test_the_log_is_paginated(client, db):
    agreement = make_agreement(title="Pact 0")
    for number in range(1, CORRECTIONS_PER_PAGE + 6):
        correct(agreement, f"Correction {number}", title=f"Pact {number}")
    first_page = client.get(reverse("cases:corrections"))
    assert len(first_page.context["corrections"]) == CORRECTIONS_PER_PAGE
    assert first_page.context["corrections"][0].reason == f"Correction {CORRECTIONS_PER_PAGE + 5}"
    assert 'href="?page=2" rel="next"' in first_page.content.decode()
    second_page = client.get(reverse("cases:corrections"), {"page": 2})
    assert [entry.reason for entry in second_page.context["corrections"]] == [
        f"Correction {number}" for number in range(5, 0, -1)
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"record": "agreement"},
        {"record": "spaceship:apollo"},
        {"record": "agreement:no-such-pact"},
        {"record": "agreement:bad\x00slug"},
        {"record": "agreement:" + "x" * 5000},
    ],
)
def test_bad_parameters_give_a_clear_page_not_an_error(client, db, params):
    make_agreement(slug="real-pact")
    response = client.get(reverse("cases:corrections"), params)
    assert response.status_code == 200
    if "record" in params:
        assert "There is no published record" in response.content.decode()


def test_an_undecodable_record_parameter_gives_a_clear_page(client, db):
    response = client.get(f"{reverse('cases:corrections')}?record=agreement%3A%ED%A0%80%FF%00")
    assert response.status_code == 200
    assert "There is no published record" in response.content.decode()


def test_drafts_cannot_be_found_through_the_record_parameter(client, db):
    make_agreement(slug="secret-pact", title="Secret pact", publication_status="draft")
    page = html(client, reverse("cases:corrections"), record="agreement:secret-pact")
    assert "There is no published record" in page
    assert "Secret pact" not in page


def corrections_page_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:corrections"))
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["corrections"])


def add_corrections(number):
    """`number` corrections to each of four kinds of record (a statement's
    label needs its speaker, which takes its own query)."""
    for builder in (make_agreement, make_transfer, make_group, make_statement):
        for index in range(number):
            record = builder()
            correct(record, f"Fix {index}", internal_note="", slug=f"{record.slug}-fixed")


def test_the_logs_query_count_does_not_grow_with_corrections(client, db):
    add_corrections(1)
    queries, shown = corrections_page_queries(client)
    assert shown == 4
    add_corrections(5)
    assert corrections_page_queries(client) == (queries, 24)
    # A count, the page, then per kind of record: its history rows and the
    # records; and the data version the page cache is keyed by.
    assert queries <= 2 + 4 * 2 + 1 + 1


def test_the_log_is_in_the_navigation(client, db):
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html(client, "/"), flags=re.S).group(1)
    assert f'href="{reverse("cases:corrections")}"' in nav


def test_a_slug_change_still_links_the_record_where_it_now_lives(client, db):
    transfer = make_transfer(slug="old-slug", title="A flight")
    correct(transfer, "Slug matched the title", slug="a-flight")
    page = html(client, reverse("cases:corrections"))
    assert 'href="/transfers/a-flight/"' in page
    assert Transfer.objects.get(slug="a-flight")


def test_the_log_links_brief_readers_to_the_record_as_it_stood_before_each_change(
    client, brief_client, seed
):
    agreement = Agreement.objects.get(slug="safe-third-country")
    correct(agreement, "The article says it is only under consideration", status="proposed")
    corrected = agreement.history.first().history_date

    # The public log stays the same for everyone: no brief link for readers.
    assert "as it stood before" not in html(client, reverse("cases:corrections"))

    log = html(brief_client, reverse("cases:corrections"))
    link = re.search(r'<a href="([^"]+)">The record as it stood before this change</a>', log)
    assert link, log
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith(f"{agreement.get_absolute_url()}brief.pdf?as_of=")
    as_of = datetime.datetime.fromisoformat(
        url.split("as_of=")[1].replace("%3A", ":").replace("%2B", "+")
    )
    assert as_of < corrected
    brief = brief_client.get(url)
    assert brief.status_code == 200
    # The value before the change, and the change listed after it.
    assert "Under consideration" in pdf_text(brief)
    assert "The article says it is only under consideration" in pdf_text(brief)
