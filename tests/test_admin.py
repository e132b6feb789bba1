"""Admins correct records in Django admin; every change is kept with who, when, what and why."""

import datetime

import pytest
from django import forms
from django.apps import apps
from django.urls import reverse

from cases.kinds import kind_of
from cases.models import Actor, Agreement, Citation, Event, Source, Transfer
from tests.factories import cite_every_value, make_agreement

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
        value = value() if callable(value) else value
        if isinstance(value, dict | list) and isinstance(field, forms.CharField):
            # A JSON value typed as text (a record's inferences, a citation's
            # supports on its own page) is posted as its widget shows it.
            value = field.prepare_value(value)
        value = _as_post_value(value)
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
    assert event.citations.count() == total


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


# --- Field-level provenance: a value needs a citation that supports it, or an inference ---

UNSUPPORTED = "no citation supports this value and it is not marked as an inference"


def citation_form_index(data, key):
    """The inline row of the citation with `key` in change-form data."""
    citation = Citation.objects.get(key=key)
    return next(
        name.split("-")[1]
        for name, value in data.items()
        if name.startswith("citations-") and name.endswith("-id") and str(value) == str(citation.pk)
    )


def test_admin_refuses_a_value_no_citation_supports_naming_the_field(admin_client, seed):
    handover = Transfer.objects.get(slug="handover-of-17-to-cecot")
    url = reverse("admin:cases_transfer_change", args=[handover.pk])
    data = change_form_data(admin_client.get(url))
    data["sent_by"] = [Actor.objects.get(slug="trump-administration").pk]
    data["from_country"] = "United States"
    data["change_reason"] = "The sender seems obvious"
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Sent by: {UNSUPPORTED}" in page
    assert f"From: {UNSUPPORTED}" in page
    # Beside the value as well as above the citations, where it is fixed.
    assert "No citation supports this value" in str(
        response.context["adminform"].form.errors["from_country"]
    )
    handover.refresh_from_db()
    assert not handover.sent_by.exists()
    assert handover.from_country == ""


def test_admin_accepts_a_value_marked_as_the_newsrooms_inference(admin_client, seed):
    handover = Transfer.objects.get(slug="handover-of-17-to-cecot")
    url = reverse("admin:cases_transfer_change", args=[handover.pk])
    data = change_form_data(admin_client.get(url))
    data["from_country"] = "United States"
    data["inferences"] = "from_country: Fictional reason, for this test only."
    data["change_reason"] = "Testing inferences"
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.from_country == "United States"
    assert handover.inferences == {"from_country": "Fictional reason, for this test only."}


def test_unticking_the_only_support_of_a_value_is_refused(admin_client, seed):
    handover = Transfer.objects.get(slug="handover-of-17-to-cecot")
    url = reverse("admin:cases_transfer_change", args=[handover.pk])
    data = change_form_data(admin_client.get(url))
    row = citation_form_index(data, "transfer-handover-of-17-to-cecot-1")
    data[f"citations-{row}-supports"] = [
        name for name in data[f"citations-{row}-supports"] if name != "count"
    ]
    data["change_reason"] = "Untick the count"
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert f"People moved: {UNSUPPORTED}" in response.content.decode()
    assert "count" in Citation.objects.get(key="transfer-handover-of-17-to-cecot-1").supports


def test_deleting_the_citation_that_supports_values_is_refused(admin_client, seed):
    handover = Transfer.objects.get(slug="handover-of-17-to-cecot")
    url = reverse("admin:cases_transfer_change", args=[handover.pk])
    data = change_form_data(admin_client.get(url))
    row = citation_form_index(data, "transfer-handover-of-17-to-cecot-1")
    data[f"citations-{row}-DELETE"] = "on"
    data["change_reason"] = "Drop a citation"
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Destination facility: {UNSUPPORTED}" in page
    assert Citation.objects.filter(key="transfer-handover-of-17-to-cecot-1").exists()


def test_a_party_added_in_its_inline_needs_a_citation_that_supports_the_parties(admin_client, seed):
    agreement = make_agreement(title="Fictional pact")
    citation = cite_every_value(agreement)
    url = reverse("admin:cases_agreement_change", args=[agreement.pk])
    data = change_form_data(admin_client.get(url))
    data.update(
        {
            "party_roles-TOTAL_FORMS": 1,
            "party_roles-0-actor": Actor.objects.get(slug="ms-13").pk,
            "party_roles-0-role": "Fictional role",
            "change_reason": "Add a party",
            "change_kind": "update",
        }
    )

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    assert f"Parties and their roles: {UNSUPPORTED}" in refused.content.decode()
    assert not agreement.party_roles.exists()

    data["citations-0-supports"] = [*citation.supports, "party_roles"]
    accepted = admin_client.post(url, data)

    assert accepted.status_code == 302
    assert agreement.party_roles.get().role == "Fictional role"
    assert "party_roles" in Citation.objects.get(pk=citation.pk).supports


def test_a_new_record_needs_support_for_its_values(admin_client, seed):
    url = reverse("admin:cases_actor_add")
    article = Source.objects.get(slug="article-bukele-white-house-visit")
    data = {
        **change_form_data(admin_client.get(url)),
        "name": "Fictional spokesperson",
        "slug": "fictional-spokesperson",
        "kind": "person",
        "role": "Spokesperson",
        "publication_status": "draft",
        "claim_status": "reported",
        "citations-TOTAL_FORMS": 1,
        "citations-0-source": article.pk,
        "citations-0-quote": "announced the Salvadoran government",
    }

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    assert f"Role or title: {UNSUPPORTED}" in refused.content.decode()
    assert not Actor.objects.filter(slug="fictional-spokesperson").exists()

    data["citations-0-supports"] = ["role"]
    assert admin_client.post(url, data).status_code == 302
    assert Actor.objects.get(slug="fictional-spokesperson").citations.get().supports == ["role"]


def test_supports_are_checkboxes_of_the_fields_the_records_kind_shows(admin_client, seed):
    handover = Transfer.objects.get(slug="handover-of-17-to-cecot")
    response = admin_client.get(reverse("admin:cases_transfer_change", args=[handover.pk]))
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Citation
    )
    field = formset.forms[0].fields["supports"]
    assert [name for name, _label in field.choices] == list(kind_of(Transfer).supported_fields)
    assert ("sent_by", "Sent by") in field.choices
    assert 'type="checkbox" name="citations-0-supports" value="sent_by"' in (
        response.content.decode()
    )


def test_citation_admin_refuses_a_change_that_leaves_a_value_unsupported(admin_client, seed):
    citation = Citation.objects.get(key="transfer-handover-of-17-to-cecot-1")
    url = reverse("admin:cases_citation_change", args=[citation.pk])
    data = change_form_data(admin_client.get(url))
    assert data["supports"] == ", ".join(citation.supports)
    data["supports"] = "summary"
    data["change_reason"] = "Narrow the citation"
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert f"People moved: {UNSUPPORTED}" in response.content.decode()
    citation.refresh_from_db()
    assert "count" in citation.supports


def test_citation_admin_refuses_a_field_the_record_does_not_have(admin_client, seed):
    citation = Citation.objects.get(key="actor-ms-13-1")
    url = reverse("admin:cases_citation_change", args=[citation.pk])
    data = change_form_data(admin_client.get(url))
    data["supports"] = f"{data['supports']}, destination"
    data["change_reason"] = "Wrong field"
    data["change_kind"] = "correction"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "has no field “destination”" in response.content.decode()


@pytest.mark.parametrize("model", ["agreement", "source", "citation", "agreementparty"])
def test_the_history_of_an_id_that_is_not_one_is_a_404_not_a_500(admin_client, model):
    # make fuzz (issue 28): django-simple-history filtered by "x--y" as an id.
    response = admin_client.get(f"/admin/cases/{model}/x--y/history/")
    assert response.status_code == 404


def test_an_editor_who_may_only_view_a_citation_sees_its_page_not_a_500(staff_client, seed):
    # make fuzz (issue 28): the citation form set a help text on its quote
    # field, which a read-only form does not have (KeyError, a 500).
    from cases.models import Citation

    citation = Citation.objects.filter(paragraph__isnull=False).first()
    response = staff_client.get(f"/admin/cases/citation/{citation.pk}/change/")
    assert response.status_code == 200


@pytest.mark.parametrize("entry", ["x--y", "a" * 1000, "1.5"])
@pytest.mark.parametrize("model", ["detaineegroup", "source", "citation"])
def test_a_history_entry_whose_id_is_not_one_is_a_404_not_a_500(admin_client, seed, model, entry):
    # make fuzz (issue 28): django-simple-history filtered by "aaa…" as an entry's id.
    record = apps.get_model("cases", model).objects.order_by("pk").first()
    response = admin_client.get(f"/admin/cases/{model}/{record.pk}/history/{entry}/")
    assert response.status_code == 404
    response = admin_client.get(f"/admin/cases/{model}/{entry}/history/1/")
    assert response.status_code == 404
    # A real entry of the record's history still opens.
    real = record.history.order_by("history_id").first().history_id
    assert admin_client.get(f"/admin/cases/{model}/{record.pk}/history/{real}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/agreement/{pk}/change/?_to_field=",
        "/admin/cases/agreement/{pk}/delete/?_to_field=",
        "/admin/cases/agreement/{pk}/?_to_field=",
        "/admin/auth/user/{user}/change/?_to_field=",
        "/admin/auth/user/{user}/delete/?_to_field=",
    ],
)
def test_an_empty_to_field_on_an_admin_page_is_a_400_not_a_500(admin_client, seed, url):
    # make fuzz (issue 28): Django's admin looked up a field named "".
    record = Agreement.objects.order_by("pk").first()
    user = admin_client.get("/admin/").wsgi_request.user
    response = admin_client.get(url.format(pk=record.pk, user=user.pk))
    assert response.status_code == 400
    # The same page without it still opens.
    response = admin_client.get(url.format(pk=record.pk, user=user.pk).split("?")[0], follow=True)
    assert response.status_code == 200
