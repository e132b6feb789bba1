"""Every admin path that changes a published record asks for a kind and a
reason, shows the change readably, and refuses to undo another admin's edit
(issue 13)."""

import re
from io import StringIO

import pytest
from django.contrib.admin import helpers
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases.models import Actor, Agreement, Citation, DetaineeGroup, Event, Transfer
from tests.factories import make_event
from tests.test_admin import _form_fields, change_form_data

pytestmark = pytest.mark.django_db


def admin_named(django_user_model, username):
    django_user_model.objects.create_user(username, password="not used")
    call_command("assign_role", username, "admin", stdout=StringIO())
    client = Client()
    client.force_login(django_user_model.objects.get(username=username))
    return client


@pytest.fixture
def admin_client(django_user_model):
    return admin_named(django_user_model, "desk-admin")


@pytest.fixture
def second_admin(django_user_model):
    return admin_named(django_user_model, "night-desk")


def change_url(record):
    return reverse(f"admin:cases_{record._meta.model_name}_change", args=[record.pk])


def log(client=None, **params):
    """The public log as a reader sees it: (record, kind, changes, reason).
    Rendered afresh: a page served from the page cache has no context to read."""
    cache.clear()
    response = (client or Client()).get(reverse("cases:corrections"), params)
    assert response.status_code == 200
    return [
        (
            str(entry.record),
            entry.kind_label,
            [(c["field"], c["before"], c["after"]) for c in entry.changes],
            entry.reason,
        )
        for entry in response.context["corrections"]
    ]


def log_html():
    response = Client().get(reverse("cases:corrections"))
    return response.content.decode()


# --- Point 1: the change form -------------------------------------------------


def test_the_kind_and_reason_come_first_and_say_they_are_published(admin_client, seed):
    noem = Actor.objects.get(slug="kristi-noem")
    page = admin_client.get(change_url(noem)).content.decode()
    assert page.index('name="change_kind"') < page.index('name="name"')
    assert page.index('name="change_reason"') < page.index('name="name"')
    assert "are published on the public corrections log" in page


def test_a_change_without_a_kind_is_refused(admin_client, seed):
    noem = Actor.objects.get(slug="kristi-noem")
    data = change_form_data(admin_client.get(change_url(noem)))
    data.update(role="Former Secretary", change_reason="A later source")
    response = admin_client.post(change_url(noem), data)
    assert response.status_code == 200
    assert "Choose the kind of change" in response.content.decode()
    noem.refresh_from_db()
    assert noem.role == "Secretary of Homeland Security"


def test_a_change_with_kind_and_reason_is_on_the_log_with_its_kind_and_before_after(
    admin_client, seed
):
    noem = Actor.objects.get(slug="kristi-noem")
    data = change_form_data(admin_client.get(change_url(noem)))
    data.update(role="Former Secretary", change_reason="A later source", change_kind="update")
    assert admin_client.post(change_url(noem), data).status_code == 302
    assert log() == [
        (
            "Kristi Noem",
            "Update",
            [("Role or title", "Secretary of Homeland Security", "Former Secretary")],
            "A later source",
        )
    ]
    page = log_html()
    assert "Update" in page
    assert (
        "<del>Secretary <mark>of Homeland Security</mark></del> → "
        "<ins><mark>Former</mark> Secretary</ins>"
    ) in page


def test_a_minor_edit_is_kept_in_the_history_but_not_published(admin_client, seed):
    noem = Actor.objects.get(slug="kristi-noem")
    data = change_form_data(admin_client.get(change_url(noem)))
    # Only what no reader relies on: spacing in a text, and the internal note.
    data.update(
        description=data["description"].replace("Homeland", "Homeland "),
        internal_note="Spacing checked against the source",
        change_reason="Stray space",
        change_kind="minor",
    )
    assert admin_client.post(change_url(noem), data).status_code == 302
    assert log() == []
    latest = noem.history.first()
    assert latest.history_change_kind == "minor"
    assert latest.history_change_reason == "Stray space"
    history_page = admin_client.get(reverse("admin:cases_actor_history", args=[noem.pk]))
    assert "Stray space" in history_page.content.decode()
    assert "Minor edit (not published)" in history_page.content.decode()


# --- Point 1: a revert from History ---------------------------------------------


def revert_form(client, record, version):
    url = reverse(
        f"admin:cases_{record._meta.model_name}_simple_history",
        args=[record.pk, version.history_id],
    )
    return url, _form_fields(client.get(url).context["adminform"].form)


def test_a_revert_without_a_reason_is_refused(admin_client, seed):
    rubio = Actor.objects.get(slug="marco-rubio")
    data = change_form_data(admin_client.get(change_url(rubio)))
    data.update(role="Wrong title", change_reason="Mistaken edit", change_kind="correction")
    assert admin_client.post(change_url(rubio), data).status_code == 302

    url, data = revert_form(admin_client, rubio, rubio.history.earliest())
    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Say why this record is being changed" in response.content.decode()
    rubio.refresh_from_db()
    assert rubio.role == "Wrong title"


def test_a_revert_with_kind_and_reason_is_on_the_log(admin_client, seed):
    rubio = Actor.objects.get(slug="marco-rubio")
    data = change_form_data(admin_client.get(change_url(rubio)))
    data.update(role="Wrong title", change_reason="Mistaken edit", change_kind="correction")
    assert admin_client.post(change_url(rubio), data).status_code == 302

    url, data = revert_form(admin_client, rubio, rubio.history.earliest())
    data.update(change_reason="Undo the mistaken edit", change_kind="correction")
    assert admin_client.post(url, data).status_code == 302

    assert log()[0] == (
        "Marco Rubio",
        "Correction",
        [("Role or title", "Wrong title", "U.S. Secretary of State")],
        "Undo the mistaken edit",
    )


# --- Point 1: an inline citation edit ---------------------------------------------


def test_an_inline_citation_change_alone_needs_a_reason(admin_client, seed):
    event = Event.objects.get(slug="noem-visits-cecot")
    data = change_form_data(admin_client.get(change_url(event)))
    data["citations-0-note"] = "Her words at the prison"
    response = admin_client.post(change_url(event), data)
    assert response.status_code == 200
    assert "a change to these rows is a change to the record" in response.content.decode()
    assert not event.citations.filter(note="Her words at the prison").exists()


def test_an_inline_citation_change_with_a_reason_is_on_the_log(admin_client, seed):
    event = Event.objects.get(slug="noem-visits-cecot")
    data = change_form_data(admin_client.get(change_url(event)))
    data.update(
        {
            "citations-0-note": "Her words at the prison",
            "change_reason": "Say where she said it",
            "change_kind": "clarification",
        }
    )
    assert admin_client.post(change_url(event), data).status_code == 302
    [(record, kind, changes, reason)] = log()
    assert (record, kind, reason) == (event.title, "Clarification", "Say where she said it")
    assert [field for field, _before, _after in changes] == ["Citation"]
    assert event.citations.order_by(
        "paragraph", "id"
    ).first().history.first().history_change_kind == ("clarification")


# --- Point 1: the bulk action -------------------------------------------------------


def bulk_change(client, records, **form):
    """The bulk action as an admin uses it: choose the records, then (with
    `apply`) submit its page, which carries the versions it showed."""
    model = type(records[0])
    url = reverse(f"admin:cases_{model._meta.model_name}_changelist")
    chosen = {
        "action": "change_claim_status",
        helpers.ACTION_CHECKBOX_NAME: [record.pk for record in records],
    }
    if "apply" in form and "versions" not in form:
        form["versions"] = client.post(url, chosen).context["form"].initial["versions"]
    return client.post(url, {**chosen, **form})


def test_a_bulk_change_asks_for_kind_and_reason_before_saving(admin_client, seed):
    transfers = list(Transfer.objects.all()[:2])
    asked = bulk_change(admin_client, transfers)
    assert asked.status_code == 200
    assert "Reason for this change" in asked.content.decode()
    refused = bulk_change(admin_client, transfers, apply="1", claim_status="disputed")
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()
    assert not Transfer.objects.filter(claim_status="disputed").exists()


def test_a_bulk_change_with_kind_and_reason_is_on_the_log_for_each_record(admin_client, seed):
    transfers = list(Transfer.objects.exclude(claim_status="disputed")[:2])
    response = bulk_change(
        admin_client,
        transfers,
        apply="1",
        claim_status="disputed",
        change_kind="update",
        change_reason="A second source disputes both",
    )
    assert response.status_code == 302
    entries = log()
    assert sorted(entry[0] for entry in entries) == sorted(t.title for t in transfers)
    assert {(entry[1], entry[3]) for entry in entries} == {
        ("Update", "A second source disputes both")
    }
    assert all(entry[2][0][0] == "Claim status" for entry in entries)


# --- Point 2: readable history ------------------------------------------------------


def add_rubio_as_sender(client, transfer, reason="He announced it"):
    rubio = Actor.objects.get(slug="marco-rubio")
    data = change_form_data(client.get(change_url(transfer)))
    data["sent_by"] = [*data.get("sent_by", []), rubio.pk]
    data.update(change_reason=reason, change_kind="correction")
    return client.post(change_url(transfer), data)


def test_history_page_shows_before_and_after_in_words_with_the_reason_once(admin_client, seed):
    transfer = Transfer.objects.get(slug="deportation-of-hundreds")
    data = change_form_data(admin_client.get(change_url(transfer)))
    long_summary = "A much longer summary. " * 10
    data.update(summary=long_summary, change_reason="Fuller summary", change_kind="update")
    assert admin_client.post(change_url(transfer), data).status_code == 302
    assert add_rubio_as_sender(admin_client, transfer).status_code == 302

    page = admin_client.get(reverse("admin:cases_transfer_history", args=[transfer.pk]))
    html = page.content.decode()
    # Whole values, with the changed words marked inside them.
    text = re.sub(r"<[^>]+>", "", html)
    before = transfer.history.earliest().summary
    assert f"Summary: {before} → {long_summary.strip()}" in text
    assert "chars]" not in html
    assert "Sent by: Trump administration → Marco Rubio, Trump administration" in text
    assert "<ins><mark>Marco Rubio,</mark> Trump administration</ins>" in html
    assert html.count("Fuller summary") == 1
    assert "HISTORY_CHANGE_REASON" not in html.upper().replace('HISTORY_CHANGE_REASON"', "")


def test_the_log_shows_a_relation_before_and_after(admin_client, seed):
    transfer = Transfer.objects.get(slug="deportation-of-hundreds")
    assert add_rubio_as_sender(admin_client, transfer).status_code == 302
    assert log() == [
        (
            transfer.title,
            "Correction",
            [("Sent by", "Trump administration", "Marco Rubio, Trump administration")],
            "He announced it",
        )
    ]


def test_the_log_never_names_a_draft_linked_record(admin_client, seed):
    transfer = Transfer.objects.get(slug="deportation-of-hundreds")
    secret = Actor.objects.create(
        slug="secret-official",
        name="A secret official",
        kind="person",
        publication_status="draft",
    )
    data = change_form_data(admin_client.get(change_url(transfer)))
    data["sent_by"] = [*data.get("sent_by", []), secret.pk]
    data.update(change_reason="Who sent them", change_kind="update")
    assert admin_client.post(change_url(transfer), data).status_code == 302
    assert "A secret official" not in log_html()
    assert "a record not yet published" in log_html()


def test_internal_notes_stay_off_the_log_even_beside_a_public_change(admin_client, seed):
    noem = Actor.objects.get(slug="kristi-noem")
    data = change_form_data(admin_client.get(change_url(noem)))
    data.update(
        role="Former Secretary",
        internal_note="Call her office",
        change_reason="A later source",
        change_kind="update",
    )
    assert admin_client.post(change_url(noem), data).status_code == 302
    assert "Call her office" not in log_html()
    assert [c[0] for c in log()[0][2]] == ["Role or title"]


# --- Point 3: no lost edits -----------------------------------------------------------


def test_a_save_from_a_form_loaded_before_anothers_save_is_refused_showing_both(
    admin_client, second_admin, seed
):
    noem = Actor.objects.get(slug="kristi-noem")
    first = change_form_data(admin_client.get(change_url(noem)))
    second = change_form_data(second_admin.get(change_url(noem)))

    first.update(role="Former Secretary", change_reason="Left office", change_kind="update")
    assert admin_client.post(change_url(noem), first).status_code == 302

    # A value that needs no citation of its own, so only the lost-edit
    # check can refuse it (a new description would need one: issue 10).
    second.update(
        description="A corrected description.",
        inferences=second["inferences"] + "\ndescription: fictional test inference",
        change_reason="description correction",
        change_kind="correction",
    )
    refused = second_admin.post(change_url(noem), second)

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "saved by someone else after you opened this form" in html
    # Both values: what the first admin saved, and what this form holds.
    assert "Role or title: Secretary of Homeland Security → Former Secretary" in html
    assert "desk-admin" in html and "Left office" in html
    assert "Description: A corrected description." in html
    assert f'href="{change_url(noem)}"' in html
    noem.refresh_from_db()
    assert noem.role == "Former Secretary"
    assert noem.description != "A corrected description."

    # Redone on the current version, the edit goes through, and keeps the role.
    redo = change_form_data(second_admin.get(change_url(noem)))
    redo.update(
        description="A corrected description.",
        inferences=redo["inferences"] + "\ndescription: fictional test inference",
        change_reason="description correction",
        change_kind="correction",
    )
    assert second_admin.post(change_url(noem), redo).status_code == 302
    noem.refresh_from_db()
    assert (noem.role, noem.description) == ("Former Secretary", "A corrected description.")


def test_a_linked_record_added_meanwhile_is_not_dropped_by_an_older_form(
    admin_client, second_admin, seed
):
    transfer = Transfer.objects.get(slug="deportation-of-hundreds")
    stale = change_form_data(second_admin.get(change_url(transfer)))
    assert add_rubio_as_sender(admin_client, transfer).status_code == 302

    stale.update(summary="Edited summary", change_reason="Summary", change_kind="correction")
    refused = second_admin.post(change_url(transfer), stale)

    assert refused.status_code == 200
    assert "Sent by: Trump administration → Marco Rubio, Trump administration" in (
        refused.content.decode()
    )
    assert transfer.sent_by.filter(slug="marco-rubio").exists()


def test_an_inline_citation_changed_meanwhile_is_not_overwritten(admin_client, second_admin, seed):
    event = Event.objects.get(slug="noem-visits-cecot")
    stale = change_form_data(second_admin.get(change_url(event)))
    citation = event.citations.order_by("paragraph", "id").first()
    citation_url = reverse("admin:cases_citation_change", args=[citation.pk])
    data = change_form_data(admin_client.get(citation_url))
    data.update(note="Checked against the video", change_reason="Note", change_kind="clarification")
    assert admin_client.post(citation_url, data).status_code == 302

    stale.update(
        {
            "citations-0-note": "An older note",
            "change_reason": "Note",
            "change_kind": "correction",
        }
    )
    refused = second_admin.post(change_url(event), stale)

    assert refused.status_code == 200
    assert "saved by someone else after you opened this form" in refused.content.decode()
    assert Citation.objects.get(pk=citation.pk).note == "Checked against the video"


def test_a_form_with_no_token_is_not_refused(admin_client, seed):
    """Scripts posting without the hidden token are not blocked by it."""
    agreement = Agreement.objects.get(slug="safe-third-country")
    data = change_form_data(admin_client.get(change_url(agreement)))
    del data["version"]
    data.update(summary="Shorter.", change_reason="Shorter", change_kind="clarification")
    assert admin_client.post(change_url(agreement), data).status_code == 302


# --- Deleting a published record ----------------------------------------------
# Only superusers may delete (the newsroom roles may not: cases/roles.py).


@pytest.fixture
def superuser_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("chief", "c@example.org", "pw"))
    return client


def test_deleting_a_published_record_asks_for_a_kind_and_a_reason_and_keeps_them(
    superuser_client, seed
):

    event = Event.objects.published().get(occurrence="scheduled")
    url = reverse("admin:cases_event_delete", args=[event.pk])
    page = superuser_client.get(url).content.decode()
    assert 'name="change_reason"' in page and 'name="change_kind"' in page

    refused = superuser_client.post(url, {"post": "yes"})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()
    assert Event.objects.filter(pk=event.pk).exists()

    reason = "A duplicate of another event (fictional reason for this test)"
    deleted = superuser_client.post(
        url, {"post": "yes", "change_kind": "correction", "change_reason": reason}
    )
    assert deleted.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()
    last = Event.history.filter(id=event.pk).order_by("-history_date").first()
    assert last.history_type == "-"
    assert last.history_change_reason == reason
    assert last.history_change_kind == "correction"


def test_a_draft_is_deleted_without_a_reason_and_there_is_no_bulk_delete(superuser_client, db):

    draft = make_event(publication_status="draft")
    url = reverse("admin:cases_event_delete", args=[draft.pk])
    assert 'name="change_reason"' not in superuser_client.get(url).content.decode()
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert not Event.objects.filter(pk=draft.pk).exists()
    # Deleting several at once would skip the reason: the action is not offered.
    changelist = superuser_client.get(reverse("admin:cases_event_changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist


# --- Issue 21: no silent change to a fact --------------------------------------------

SIX = "six-accused-of-child-molestation"


def test_a_minor_edit_that_upgrades_an_accusation_is_refused_saying_why(admin_client, seed):
    six = DetaineeGroup.objects.get(slug=SIX)
    versions = six.history.count()
    data = change_form_data(admin_client.get(change_url(six)))
    data.update(claim_status="confirmed", change_kind="minor", change_reason="tidy")

    response = admin_client.post(change_url(six), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "A minor edit may only change what no reader relies on" in page
    assert "Claim status" in page
    six.refresh_from_db()
    assert six.claim_status == "alleged"
    assert six.history.count() == versions
    assert log() == []


def test_a_minor_edit_to_a_title_is_refused_and_as_a_correction_it_is_published(admin_client, seed):
    six = DetaineeGroup.objects.get(slug=SIX)
    data = change_form_data(admin_client.get(change_url(six)))
    data.update(name=six.name + " (tab B)", change_kind="minor", change_reason="tidy")
    assert admin_client.post(change_url(six), data).status_code == 200

    data.update(change_kind="correction", change_reason="The source's own words")
    assert admin_client.post(change_url(six), data).status_code == 302
    [(record, kind, changes, reason)] = log()
    assert (kind, reason) == ("Correction", "The source's own words")
    page = Client().get(six.get_absolute_url()).content.decode()
    assert "Not corrected since it was added" not in page


def test_a_minor_edit_may_change_the_internal_note_and_the_slug(admin_client, seed):
    noem = Actor.objects.get(slug="kristi-noem")
    data = change_form_data(admin_client.get(change_url(noem)))
    data.update(
        internal_note="Check her title again in January",
        slug="kristi-l-noem",
        change_kind="minor",
        change_reason="Newsroom note and a tidier address",
    )
    assert admin_client.post(change_url(noem), data).status_code == 302
    assert Actor.objects.filter(slug="kristi-l-noem").exists()
    assert log() == []


def test_a_minor_edit_to_a_linked_record_or_a_citation_is_refused(admin_client, seed):
    transfer = Transfer.objects.filter(publication_status="published").first()
    data = change_form_data(admin_client.get(change_url(transfer)))
    rubio = Actor.objects.get(slug="marco-rubio")
    data.update(
        sent_by=[*data.get("sent_by", []), str(rubio.pk)],
        change_kind="minor",
        change_reason="tidy",
    )
    response = admin_client.post(change_url(transfer), data)
    assert response.status_code == 200
    assert "A minor edit may only change what no reader relies on" in response.content.decode()
    assert not transfer.sent_by.filter(pk=rubio.pk).exists()

    event = Event.objects.get(slug="noem-visits-cecot")
    data = change_form_data(admin_client.get(change_url(event)))
    data.update({"citations-0-note": "Her words", "change_reason": "tidy", "change_kind": "minor"})
    response = admin_client.post(change_url(event), data)
    assert response.status_code == 200
    assert "A minor edit may only change what no reader relies on" in response.content.decode()
    assert not event.citations.filter(note="Her words").exists()


def test_a_revert_as_a_minor_edit_is_refused_when_it_changes_a_fact(admin_client, seed):
    rubio = Actor.objects.get(slug="marco-rubio")
    data = change_form_data(admin_client.get(change_url(rubio)))
    data.update(role="Wrong title", change_reason="Mistaken edit", change_kind="correction")
    assert admin_client.post(change_url(rubio), data).status_code == 302

    url, data = revert_form(admin_client, rubio, rubio.history.earliest())
    data.update(change_reason="back", change_kind="minor")
    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "A minor edit may only change what no reader relies on" in response.content.decode()
    rubio.refresh_from_db()
    assert rubio.role == "Wrong title"


def test_the_bulk_action_and_deletion_offer_no_minor_edit(admin_client, seed):
    six = DetaineeGroup.objects.get(slug=SIX)
    response = bulk_change(
        admin_client,
        [six],
        apply="1",
        claim_status="confirmed",
        change_kind="minor",
        change_reason="tidy",
    )
    assert response.status_code == 200
    six.refresh_from_db()
    assert six.claim_status == "alleged"
    assert 'value="minor"' not in response.content.decode()

    delete_page = admin_client.get(
        reverse("admin:cases_detaineegroup_delete", args=[six.pk])
    ).content.decode()
    assert 'value="minor"' not in delete_page


def test_no_path_saves_a_minor_edit_that_changes_a_fact(seed):
    # Commands and code: the history itself refuses, whatever called save().
    from django.core.exceptions import ValidationError

    six = DetaineeGroup.objects.get(slug=SIX)
    six.claim_status = "confirmed"
    six._change_kind, six._change_reason = "minor", "tidy"
    with pytest.raises(ValidationError, match="A minor edit may only change"):
        six.save()
    # Refused before anything is written, not after.
    six.refresh_from_db()
    assert six.claim_status == "alleged"


def test_a_save_that_changes_nothing_adds_no_history_row(admin_client, seed):
    noem = Actor.objects.get(slug="kristi-noem")
    versions = noem.history.count()
    data = change_form_data(admin_client.get(change_url(noem)))

    assert admin_client.post(change_url(noem), data).status_code == 302

    assert noem.history.count() == versions
    assert log() == []


# --- Issue 21: the public log names no draft, whatever the change linked ----------


def make_secret(**fields):
    return Actor.objects.create(
        slug="secret-official", name="A secret official", kind="person", **fields
    )


def test_a_linked_record_set_back_to_draft_after_the_change_is_not_named(admin_client, seed):
    transfer = Transfer.objects.get(slug="deportation-of-hundreds")
    official = make_secret(publication_status="published")
    data = change_form_data(admin_client.get(change_url(transfer)))
    data["sent_by"] = [*data.get("sent_by", []), official.pk]
    data.update(change_reason="Who sent them", change_kind="update")
    assert admin_client.post(change_url(transfer), data).status_code == 302
    assert "A secret official" in log_html()

    official.publication_status = "draft"
    official._change_kind, official._change_reason = "correction", "Not confirmed"
    official.save()

    # Its own withdrawal is public, by its last published name; the
    # transfer's change never names it again.
    for entries in (log(record=f"transfer:{transfer.slug}"), log()):
        [changes] = [changes for title, _, changes, _ in entries if title == transfer.title]
        assert (
            "Sent by",
            "Trump administration",
            "a record not yet published, Trump administration",
        ) in changes
        assert not any("A secret official" in f"{before} {after}" for _, before, after in changes)
    cache.clear()
    page = (
        Client()
        .get(reverse("cases:corrections"), {"record": f"transfer:{transfer.slug}"})
        .content.decode()
    )
    assert "A secret official" not in page
    spanish = Client().get(
        reverse("cases:corrections"),
        {"record": f"transfer:{transfer.slug}"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert "A secret official" not in spanish.content.decode()


def test_a_party_row_naming_a_draft_actor_is_not_shown_on_the_log(admin_client, seed):
    agreement = Agreement.objects.get(slug="safe-third-country")
    secret = make_secret(publication_status="draft")
    data = change_form_data(admin_client.get(change_url(agreement)))
    prefix = next(key for key in data if key.endswith("-TOTAL_FORMS") and "part" in key).split("-")[
        0
    ]
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(total + 1),
            f"{prefix}-{total}-actor": str(secret.pk),
            f"{prefix}-{total}-role": "Negotiator",
            "change_reason": "A later report names a negotiator",
            "change_kind": "update",
        }
    )
    response = admin_client.post(change_url(agreement), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    page = log_html()
    assert "A secret official" not in page
    assert "a row naming a record not yet published" in page
    # Admins see the row as it is, in the record's history.
    history = admin_client.get(reverse("admin:cases_agreement_history", args=[agreement.pk]))
    assert "A secret official" in history.content.decode()


# --- Issue 21: no lost edit, even at the same instant --------------------------------


def test_the_bulk_action_leaves_a_record_saved_by_someone_else_since(
    admin_client, second_admin, seed
):
    transfers = list(Transfer.objects.exclude(claim_status="disputed").order_by("pk")[:2])
    url = reverse("admin:cases_transfer_changelist")
    chosen = {
        "action": "change_claim_status",
        helpers.ACTION_CHECKBOX_NAME: [t.pk for t in transfers],
    }
    versions = admin_client.post(url, chosen).context["form"].initial["versions"]
    # Meanwhile another admin sets the first one to disputed, with a reason.
    assert (
        bulk_change(
            second_admin,
            [transfers[0]],
            apply="1",
            claim_status="disputed",
            change_kind="update",
            change_reason="A second source disputes it",
        ).status_code
        == 302
    )

    response = admin_client.post(
        url,
        {
            **chosen,
            "versions": versions,
            "apply": "1",
            "claim_status": "confirmed",
            "change_kind": "correction",
            "change_reason": "Both confirmed",
        },
        follow=True,
    )

    transfers[0].refresh_from_db()
    transfers[1].refresh_from_db()
    assert transfers[0].claim_status == "disputed"
    assert transfers[1].claim_status == "confirmed"
    assert "Not changed, because someone saved them after you chose them" in (
        response.content.decode()
    )


SIMULTANEOUS_POSTS = 20


@pytest.mark.django_db(transaction=True)
def test_of_simultaneous_saves_of_one_version_exactly_one_lands(django_user_model):
    from django.db import connection

    from tests.simultaneous_saves import post_at_once

    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite: see the test on an SQLite file below")
    call_command("load_seed", verbosity=0)
    noem = Actor.objects.get(slug="kristi-noem")
    user = django_user_model.objects.create_user("desk", password="not used")
    call_command("assign_role", "desk", "admin", stdout=StringIO())
    clients = []
    for _ in range(SIMULTANEOUS_POSTS):
        client = Client()
        client.force_login(user)
        clients.append(client)
    data = change_form_data(clients[0].get(change_url(noem)))

    statuses = post_at_once(clients, change_url(noem), data)

    assert statuses == [200] * (len(clients) - 1) + [302]
    assert noem.history.filter(history_change_reason__startswith="Desk").count() == 1


def test_of_simultaneous_saves_on_an_sqlite_file_exactly_one_lands(tmp_path):
    # Real connections to one SQLite file, as gunicorn's threads have: the
    # suite's own SQLite database is in memory, shared through table locks.
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'simultaneous.sqlite3'}",
        "ALLOWED_HOSTS": "testserver",
        "SQLITE_BUSY_TIMEOUT_S": "120",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.simultaneous_saves", str(SIMULTANEOUS_POSTS)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"statuses": [200] * (SIMULTANEOUS_POSTS - 1) + [302], "saved": 1}


# --- Issue 21: setting a published record back to draft is a public withdrawal -------


def test_withdrawing_a_published_record_is_on_the_log_by_its_last_published_title(
    admin_client, seed
):
    noem = Actor.objects.get(slug="kristi-noem")
    data = change_form_data(admin_client.get(change_url(noem)))
    data.update(
        publication_status="draft",
        name="A name the draft holds now",
        change_kind="correction",
        change_reason="The source does not support this record",
    )
    assert admin_client.post(change_url(noem), data).status_code == 302

    page = log_html()
    assert "Kristi Noem" in page and "Withdrawn" in page
    assert "The source does not support this record" in page
    assert "A name the draft holds now" not in page
    assert 'href="/actors/kristi-noem/"' not in page  # a draft's page is no link
    feed = Client().get(reverse("cases:corrections_feed")).content.decode()
    assert "Correction: actor “Kristi Noem” withdrawn" in feed
    assert "A name the draft holds now" not in feed
