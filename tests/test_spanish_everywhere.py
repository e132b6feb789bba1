"""No English left on Spanish pages (issue 23): the corrections log's labels
and its "(empty)", a brief's login page's role names, admin's field labels,
help texts and history page; and the records' English, where it stays
English, marked lang="en" inside the Spanish page."""

import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases.models import Agreement, AgreementParty, Transfer
from tests.factories import make_actor, make_agreement, make_source, make_transfer
from tests.test_corrections import correct, edit_in_admin
from tests.test_exports import json_rows
from tests.test_pdf import folded, pdf_text
from tests.test_spanish import visible_text

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


@pytest.fixture
def spanish_admin(django_user_model):
    """An admin who reads Spanish (a client of their own)."""
    django_user_model.objects.create_user("admin-es", password="not used")
    call_command("assign_role", "admin-es", "admin", stdout=StringIO())
    client = Client(**SPANISH)
    client.force_login(django_user_model.objects.get(username="admin-es"))
    return client


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_logs_field_labels_and_empty_values_are_in_spanish(client):
    transfer = make_transfer(slug="corrected", summary="")
    correct(transfer, "Summary added", summary="An English summary.", claim_status="confirmed")
    html = page(client, reverse("cases:corrections"), **SPANISH)
    assert "Resumen:</span>" in html
    assert "Estado de la información:</span>" in html
    assert "(vacío)" in html
    assert "(empty)" not in html and "Summary:" not in html and "Claim status:" not in html
    # The record's English summary is marked as English; the status is in Spanish.
    assert re.search(r'<ins lang="en">(<mark>)?An English summary', html)
    assert "<ins>Confirmado</ins>" in html or "<mark>Confirmado</mark>" in html


def test_a_rows_label_is_kept_in_english_and_shown_in_each_readers_language(
    spanish_admin, client, seed
):
    group_agreement = Agreement.objects.get(slug="custody-for-payment")
    party = AgreementParty.objects.filter(agreement=group_agreement).first()
    url = reverse("admin:cases_agreement_change", args=[group_agreement.pk])
    response = spanish_admin.get(url)
    assert response.status_code == 200
    # Removing a party in admin, in Spanish.
    edit_in_admin(
        spanish_admin,
        group_agreement,
        "Party removed for the test",
        **{"party_roles-0-DELETE": "on", "party_roles-0-id": str(party.pk)},
    )
    spanish = page(client, reverse("cases:corrections"), **SPANISH)
    english = page(client, reverse("cases:corrections"))
    assert "Parte del acuerdo:</span>" in spanish
    assert "(eliminado)" in spanish
    assert "Agreement party:</span>" in english
    assert "(removed)" in english


def test_the_brief_login_page_names_the_roles_in_spanish(client, seed):
    transfer = Transfer.objects.get(slug="handover-of-17-to-cecot")
    response = client.get(reverse("cases:transfer_brief", args=[transfer.slug]), **SPANISH)
    html = response.content.decode()
    assert "Administradores y Editores" in html
    assert "Admins" not in html and "Editors" not in html


def test_admin_labels_help_texts_and_history_page_are_in_spanish(spanish_admin):
    transfer = make_transfer(slug="admin-es")
    html = page(spanish_admin, reverse("admin:cases_transfer_change", args=[transfer.pk]))
    for spanish in (
        "Estado de publicación",
        "Nota interna",
        "Estado de la información",
        "Precisión de la fecha",
        "Título en español",
        "Solo para la redacción; nunca se muestra en las páginas públicas.",
    ):
        assert spanish in html, spanish
    for english in ("Publication status", "Internal note", "Date precision", "in Spanish"):
        assert english not in html, english
    history = page(spanish_admin, reverse("admin:cases_transfer_history", args=[transfer.pk]))
    assert "Elija una fecha de la lista" in history
    assert "Choose a date" not in history


def test_the_records_english_inside_a_spanish_page_is_marked_english(client):
    actor = make_actor(slug="a-party")
    agreement = make_agreement(slug="with-a-role", parties=[actor])
    AgreementParty.objects.filter(agreement=agreement).update(role="Pays for custody")
    Agreement.objects.filter(pk=agreement.pk).update(
        inferences={"status": "The article implies it."}, financial_terms="Payments"
    )
    html = page(client, agreement.get_absolute_url(), **SPANISH)
    assert 'Papel: <span lang="en">Pays for custody</span>' in html
    assert '<span lang="en">The article implies it.</span>' in html
    assert '<span lang="en">Payments</span>' in html
    # Once the newsroom writes the Spanish, it is shown, unmarked.
    AgreementParty.objects.filter(agreement=agreement).update(role_es="Paga por la custodia")
    Agreement.objects.filter(pk=agreement.pk).update(financial_terms_es="Pagos")
    html = page(client, agreement.get_absolute_url(), **SPANISH)
    assert "Papel: Paga por la custodia" in html
    assert "Pays for custody" not in html
    assert '<span lang="en">Payments</span>' not in html and "Pagos" in html
    # English readers keep the English, unmarked.
    english = page(client, agreement.get_absolute_url())
    assert "Role: Pays for custody" in english


def test_an_inference_reads_in_spanish_where_the_newsroom_wrote_it_else_marked_english(
    client, staff_client
):
    transfer = make_transfer(slug="inferred", from_country="Fictionland", to_country="Nowhere")
    Transfer.objects.filter(pk=transfer.pk).update(
        inferences={
            "from_country": "Fictional: the flights leave from its capital.",
            "to_country": "Fictional: where the flights land.",
        },
        inferences_es={"from_country": "Ficticio: los vuelos salen de su capital."},
    )
    html = page(client, transfer.get_absolute_url(), **SPANISH)
    assert "Ficticio: los vuelos salen de su capital." in html
    assert "the flights leave" not in html
    # No Spanish for this one yet: its English, marked as English.
    assert '<span lang="en">Fictional: where the flights land.</span>' in html
    assert "Fictional: the flights leave from its capital." in page(
        client, transfer.get_absolute_url()
    )
    # The brief and the export read the same reasons.
    brief = staff_client.get(reverse("cases:transfer_brief", args=["inferred"]), **SPANISH)
    assert "Ficticio: los vuelos salen de su capital." in folded(pdf_text(brief))
    export = client.get(reverse("cases:transfer_list"), {"_export": "json"}, **SPANISH)
    (row,) = [row for row in json_rows(export) if row["slug"] == "inferred"]
    assert row["inferences_label"]["from_country"] == "Ficticio: los vuelos salen de su capital."
    assert row["inferences"]["from_country"] == "Fictional: the flights leave from its capital."


def test_a_spanish_reason_must_be_the_spanish_of_an_english_one():
    transfer = make_transfer(slug="only-spanish")
    transfer.inferences_es = {"to_country": "Una razón sin su inglés."}
    with pytest.raises(ValidationError) as refusal:
        transfer.full_clean()
    assert "inferences_es" in refusal.value.message_dict


def test_a_sources_description_reads_in_spanish_its_title_stays_english(client):
    source = make_source(
        slug="described",
        title="A fictional report's own headline",
        description="Fictional: the newsroom's words about it.",
        description_es="Ficticio: las palabras de la redacción sobre ella.",
    )
    html = page(client, source.get_absolute_url(), **SPANISH)
    assert "Ficticio: las palabras de la redacción sobre ella." in visible_text(html)
    assert "the newsroom's words about it" not in visible_text(html)
    # The title is the source's own words, marked as English (but in the
    # tab's <title>, which cannot mark part of itself).
    assert "A fictional report" not in visible_text(re.sub(r"<title>.*?</title>", "", html))
    assert "A fictional report" in html


def test_phone_tables_say_sort_by_in_the_markup_in_each_language(client):
    make_transfer()
    assert "Ordenar por:" in page(client, reverse("cases:transfer_list"), **SPANISH)
    assert "Sort by:" in page(client, reverse("cases:transfer_list"))


def test_a_country_reads_in_the_readers_language_on_every_surface(client):
    make_actor(slug="in-the-us", country="United States")
    make_actor(slug="in-fictionland", country="Fictionland")
    transfer = make_transfer(slug="to-el-salvador", from_country="United States")
    table = page(client, reverse("cases:actor_list"), **SPANISH)
    assert "Estados Unidos" in table
    # The facet's option keeps the value it filters by, worded in Spanish.
    assert re.search(r'<option value="United States"[^>]*>\s*Estados Unidos', table)
    # A country not declared is shown as held, marked as English.
    assert '<span lang="en">Fictionland</span>' in table
    filtered = page(client, reverse("cases:actor_list"), country="United States", **SPANISH)
    assert "Estados Unidos" in filtered
    record = page(client, transfer.get_absolute_url(), **SPANISH)
    assert "Estados Unidos" in record and "United States" not in record
    assert "United States" in page(client, transfer.get_absolute_url())


def test_the_method_page_says_the_spanish_is_the_newsrooms_translation(client):
    english = page(client, reverse("cases:method"))
    assert "their Spanish is the newsroom's translation" in english.replace("&#x27;", "'")
    assert "Quotes and the sources' own words" in english.replace("&#x27;", "'")
    spanish = page(client, reverse("cases:method"), **SPANISH)
    assert "su español es la traducción de la redacción" in spanish
    assert "Las citas y las palabras propias de las fuentes" in spanish
