"""Admins correct records in Django admin; every change is kept with who, when, what and why."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Actor, Agreement, Citation, Event

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    "source",
    "actor",
    "designation",
    "facility",
    "agreement",
    "agreementparty",
    "transfer",
    "detaineegroup",
    "event",
    "statement",
    "citation",
]


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(admin)
    client.user = admin
    return client


def _as_post_value(value):
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [getattr(item, "pk", item) for item in value]
    return getattr(value, "pk", value)


def _form_fields(form, prefix=None):
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = _as_post_value(value() if callable(value) else value)
        if value is not None:
            data[form.add_prefix(name) if prefix is None else f"{prefix}-{name}"] = value
    return data


def change_form_data(response):
    """The POST data a browser would send back for an unchanged admin change form."""
    data = _form_fields(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for form in formset.initial_forms:
            data.update(_form_fields(form, prefix=form.prefix))
    return data


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_model_has_working_admin_pages(admin_client, seed, model):
    changelist = admin_client.get(reverse(f"admin:cases_{model}_changelist"))
    assert changelist.status_code == 200
    assert admin_client.get(reverse(f"admin:cases_{model}_add")).status_code == 200
    first = changelist.context["cl"].result_list[0]
    assert (
        admin_client.get(reverse(f"admin:cases_{model}_change", args=[first.pk])).status_code == 200
    )
    assert (
        admin_client.get(reverse(f"admin:cases_{model}_history", args=[first.pk])).status_code
        == 200
    )


def test_changelist_search_finds_a_record(admin_client, seed):
    response = admin_client.get(reverse("admin:cases_actor_changelist"), {"q": "Bukele"})
    assert [actor.slug for actor in response.context["cl"].result_list] == ["nayib-bukele"]


def test_admin_edit_is_recorded_with_user_time_changed_fields_and_reason(admin_client, seed):
    agreement = Agreement.objects.get(slug="safe-third-country")
    url = reverse("admin:cases_agreement_change", args=[agreement.pk])
    data = change_form_data(admin_client.get(url))
    data["status"] = "proposed"
    data["change_reason"] = "CBS News now reports a formal proposal."
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement.refresh_from_db()
    assert agreement.status == "proposed"
    latest, previous = agreement.history.all()[:2]
    assert latest.history_user == admin_client.user
    assert latest.history_change_reason == "CBS News now reports a formal proposal."
    assert latest.history_date > previous.history_date
    assert latest.diff_against(previous).changed_fields == ["status"]
    history_page = admin_client.get(reverse("admin:cases_agreement_history", args=[agreement.pk]))
    assert "CBS News now reports a formal proposal." in history_page.content.decode()


def test_admin_edit_without_a_reason_is_refused(admin_client, seed):
    actor = Actor.objects.get(slug="marco-rubio")
    url = reverse("admin:cases_actor_change", args=[actor.pk])
    data = change_form_data(admin_client.get(url))
    data["role"] = "Someone else"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Say why this record is being changed" in response.content.decode()
    actor.refresh_from_db()
    assert actor.role == "U.S. Secretary of State"


def test_citation_not_in_its_source_is_refused_in_admin_with_a_clear_message(admin_client, seed):
    event = Event.objects.get(slug="noem-visits-cecot")
    url = reverse("admin:cases_event_change", args=[event.pk])
    data = change_form_data(admin_client.get(url))
    article = Citation.objects.filter(event=event).first().source
    prefix = "citations"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = total + 1
    data[f"{prefix}-{total}-source"] = article.pk
    data[f"{prefix}-{total}-quote"] = "Noem toured the prison for three hours."
    data["change_reason"] = "Adding a citation"
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "This quote is not found word for word" in response.content.decode()
    assert event.citations.count() == 1


def test_citation_added_in_admin_is_checked_and_kept_with_history(admin_client, seed):
    event = Event.objects.get(slug="noem-visits-cecot")
    url = reverse("admin:cases_event_change", args=[event.pk])
    data = change_form_data(admin_client.get(url))
    article = Citation.objects.filter(event=event).first().source
    total = int(data["citations-TOTAL_FORMS"])
    data["citations-TOTAL_FORMS"] = total + 1
    data[f"citations-{total}-source"] = article.pk
    data[f"citations-{total}-quote"] = "You will be expelled and prosecuted."
    data["change_reason"] = "Cite what she said there"
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    added = event.citations.get(quote="You will be expelled and prosecuted.")
    assert added.paragraph == 12
    assert added.history.first().history_change_reason == "Cite what she said there"
    assert added.history.first().history_user == admin_client.user


def test_admin_can_revert_a_record_to_an_earlier_version(admin_client, seed):
    actor = Actor.objects.get(slug="marco-rubio")
    change_url = reverse("admin:cases_actor_change", args=[actor.pk])
    data = change_form_data(admin_client.get(change_url))
    data["role"] = "Wrong title"
    data["change_reason"] = "Mistaken edit"
    data["change_kind"] = "correction"
    assert admin_client.post(change_url, data).status_code == 302
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
    assert actor.history.first().history_change_reason == "Revert the mistaken edit"
