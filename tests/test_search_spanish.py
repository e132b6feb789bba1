"""Search in Spanish (issue 23): Spanish words find records through their
Spanish versions, on PostgreSQL and SQLite, whatever the accents, the case or
the form of the word; English searches keep working; a search that finds
nothing suggests the closest names of the published records, never a draft's."""

import pytest
from django.db import connection

from cases.models import Transfer
from cases.search import VOCABULARY_TABLE, spanish_stems
from tests.factories import make_agreement, make_group, make_transfer

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def found(client, query, **headers):
    response = client.get("/search/", {"q": query}, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_spanish_stems_forgive_accents_case_and_word_forms():
    assert spanish_stems("Deportación") == spanish_stems("deportados") == "deport"
    assert spanish_stems("PAGOS") == spanish_stems("pago")
    assert spanish_stems("salvadoreño") == spanish_stems("salvadoreno")


@pytest.mark.parametrize(
    "query",
    ["deportados", "DEPORTACIÓN", "deportacion", "deportadas salvadoreños"],
)
def test_a_spanish_word_finds_a_record_by_its_spanish_version_in_any_form(client, query):
    make_transfer(
        slug="spanish-deportation",
        title="Deportation of migrants",
        title_es="Deportación de migrantes salvadoreños",
    )
    make_transfer(slug="unrelated-transfer", title="Something else", title_es="Otra cosa")
    html = found(client, query, **SPANISH)
    assert "/transfers/spanish-deportation/" in html
    assert "/transfers/unrelated-transfer/" not in html


def test_a_spanish_summary_and_a_linked_records_spanish_title_find_records(client):
    agreement = make_agreement(
        slug="custody-for-payment",
        title="Custody for payment",
        title_es="Custodia de deportados a cambio de pagos",
        summary_es="El Salvador recibe pagos por la custodia.",
    )
    make_transfer(slug="under-the-agreement", title="A transfer", agreement=agreement)
    html = found(client, "pago")
    assert "/agreements/custody-for-payment/" in html
    # Found through the Spanish title of the agreement it was made under.
    assert "/transfers/under-the-agreement/" in html
    assert "/agreements/custody-for-payment/" in found(client, "recibe")


def test_english_search_is_unchanged_by_the_spanish_versions(client):
    make_group(slug="accused-group", name="Six accused of abuse", name_es="Seis acusados de abuso")
    assert "/detainee-groups/accused-group/" in found(client, "accused")
    assert "/detainee-groups/accused-group/" in found(client, "acusados de abuso", **SPANISH)


def test_a_drafts_spanish_version_is_not_found(client):
    make_transfer(slug="draft-transfer", title_es="Traslado secreto", publication_status="draft")
    assert "/transfers/draft-transfer/" not in found(client, "secreto", **SPANISH)


def test_editing_a_spanish_version_is_followed_by_search(client):
    transfer = make_transfer(slug="retitled", title_es="Primer título")
    Transfer.objects.filter(pk=transfer.pk).update(title_es="Traslado corregido")
    assert "/transfers/retitled/" not in found(client, "primer")
    assert "/transfers/retitled/" in found(client, "corregido")


@pytest.mark.parametrize(("typed", "meant"), [("Bukle", "Bukele"), ("Salvadr", "Salvador")])
@pytest.mark.parametrize("headers", [{}, SPANISH])
def test_a_misspelt_search_suggests_the_closest_published_name(client, seed, typed, meant, headers):
    html = found(client, typed, **headers)
    assert f'<a href="?q={meant}">{meant}</a>' in html


def test_no_suggestion_ever_names_a_draft(client):
    make_transfer(slug="secret", title="Zyxwvutsr operation", publication_status="draft")
    make_transfer(slug="public", title="Public operation")
    html = found(client, "Zyxwvuts")
    assert "Zyxwvutsr" not in html
    assert "/transfers/secret/" not in html


def test_a_spanish_reader_is_suggested_the_spanish_wording(client):
    make_group(slug="deported", name="Deported migrants", name_es="Migrantes deportados")
    html = found(client, "deportadoss", **SPANISH)
    assert '<a href="?q=deportados">deportados</a>' in html
    assert "Migrantes deportados" in html
    html = found(client, "migrnts")
    assert '<a href="?q=migrants">migrants</a>' in html


@pytest.mark.parametrize("headers", [{}, SPANISH])
def test_a_word_only_in_a_draft_is_never_suggested(client, headers):
    make_transfer(
        slug="secret",
        title="Qwertyzz operation",
        title_es="Operación Qwertyzz",
        publication_status="draft",
    )
    make_transfer(slug="public", title="Public operation", title_es="Operación pública")
    html = found(client, "Qwertyz", **headers)
    assert "qwertyzz" not in html.lower()
    assert "/transfers/secret/" not in html


def test_a_record_taken_back_to_draft_is_suggested_no_more(client):
    transfer = make_transfer(slug="withdrawn", title="Xylophonic operation")
    assert '<a href="?q=Xylophonic">Xylophonic</a>' in found(client, "Xylophonc")
    Transfer.objects.filter(pk=transfer.pk).update(publication_status="draft")
    assert "xylophonic" not in found(client, "Xylophonc").lower()


def test_the_sqlite_vocabulary_holds_the_published_names_words_in_both_languages():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL suggests through its trigram indexes")
    make_transfer(slug="public", title="Public handover", title_es="Entrega pública")
    draft = make_transfer(
        slug="secret",
        title="Secret handover",
        title_es="Entrega secreta",
        publication_status="draft",
    )

    def vocabulary():
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT word, language, records FROM "{VOCABULARY_TABLE}"')
            return {(word, language): records for word, language, records in cursor.fetchall()}

    words = vocabulary()
    assert words[("handover", "en")] == 1
    assert words[("publica", "es")] == 1
    assert ("secret", "en") not in words and ("secreta", "es") not in words
    Transfer.objects.filter(pk=draft.pk).update(publication_status="published")
    assert vocabulary()[("handover", "en")] == 2
    assert ("secreta", "es") in vocabulary()
    Transfer.objects.filter(pk=draft.pk).update(title_es="Entrega corregida")
    assert ("secreta", "es") not in vocabulary()
    draft.delete()
    assert vocabulary()[("handover", "en")] == 1
    assert ("corregida", "es") not in vocabulary()
