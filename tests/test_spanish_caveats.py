"""The caveat words in Spanish (issue 23): each claim status and the
"alleged / proposed / scheduled / inferred / paraphrase / no number"
wordings read as the glossary (docs/glossary-es.md) chose them, in the
catalogue and on a page, in a brief and in an export. Changing one of them in
the catalogue ("Presunto" to "Confirmado", "la fuente no da una cifra" to
"según la fuente") fails here."""

import csv
import io
import re
from pathlib import Path

import pytest

from tests import catalogue
from tests.factories import cite_every_value, make_transfer
from tests.test_pdf import pdf_text
from tests.test_spanish import visible_text

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "glossary-es.md"

CLAIM_STATUSES = {
    "Confirmed": "Confirmado",
    "Reported": "Informado",
    "Alleged": "Presunto",
    "Disputed": "Cuestionado",
    "Proposed": "Propuesto",
}
# Each caveat's entry in the catalogue -> the glossary's words it must hold.
CAVEATS = {
    "%(date)s (inferred)": "deducida",
    "%(stated)s (the source states no number)": "la fuente no da una cifra",
    "(the source states no number)": "la fuente no da una cifra",
    "(paraphrase) %(words)s": "paráfrasis",
    "Scheduled": "Programado",
    "(the source gives no date)": "la fuente no da fecha",
}


def translations():
    return {entry.msgid: entry.msgstr[0] for entry in catalogue.read() if not entry.msgctxt}


def test_the_glossary_names_the_words_the_tests_hold_the_catalogue_to():
    glossary = GLOSSARY.read_text(encoding="utf-8")
    for english, spanish in CLAIM_STATUSES.items():
        assert re.search(rf"\| {english} \| \*\*{spanish}\*\* \|", glossary), english
    for words in CAVEATS.values():
        assert words.lower() in glossary.lower(), words


def test_each_caveat_word_in_the_catalogue_is_the_glossarys():
    catalogue_words = translations()
    for english, spanish in CLAIM_STATUSES.items():
        assert catalogue_words[english] == spanish, english
    for msgid, words in CAVEATS.items():
        assert words in catalogue_words[msgid], msgid


def page_text(client, url):
    response = client.get(url, **SPANISH)
    assert response.status_code == 200
    return visible_text(response.content.decode())


# (record page, the Spanish caveats it must show)
PAGES = [
    (
        "/detainee-groups/hundreds-of-deported-migrants/",
        ["Presunto", "(la fuente no da una cifra)"],
    ),
    ("/agreements/safe-third-country/", ["Propuesto"]),
    ("/agreements/custody-for-payment/", ["Confirmado"]),
    ("/events/white-house-meeting-april-14/", ["Programado", "(deducida)"]),
    # A paraphrase's words are prefixed "(paráfrasis)" on the page; the brief
    # names its kind.
    ("/statements/bukele-confirms-custody-payments/", ["Paráfrasis"]),
    ("/actors/nayib-bukele/", ["Informado"]),
]


@pytest.mark.parametrize(("url", "words"), PAGES)
def test_a_records_caveats_read_in_spanish_on_its_page(client, seed, url, words):
    text = page_text(client, url)
    for word in words:
        assert word in text, f"{word!r} not on {url}"


@pytest.mark.parametrize(("url", "words"), PAGES)
def test_a_records_caveats_read_in_spanish_in_its_brief(staff_client, seed, url, words):
    # A brief prints a claim status as a badge, in capitals: compared casefolded.
    text = pdf_text(staff_client.get(f"{url}brief.pdf", **SPANISH)).casefold()
    for word in words:
        assert word.casefold() in text, f"{word!r} not in the brief of {url}"


def test_a_disputed_record_reads_cuestionado_on_its_page_brief_and_export(staff_client, db):
    transfer = make_transfer(slug="contested", claim_status="disputed", count_stated="dozens")
    cite_every_value(transfer)
    assert "Cuestionado" in page_text(staff_client, transfer.get_absolute_url())
    brief = pdf_text(staff_client.get(f"{transfer.get_absolute_url()}brief.pdf", **SPANISH))
    assert "cuestionado" in brief.casefold()
    assert "Cuestionado" in labels(export_rows(staff_client, "/transfers/"), "claim_status_label")


def export_rows(client, url):
    response = client.get(url, {"_export": "csv"}, **SPANISH)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def labels(rows, column):
    return {row[column] for row in rows}


def test_the_caveats_read_in_spanish_in_the_exports(client, seed):
    # An export keeps the values as data (a stated "hundreds" beside an empty
    # number, an inferred date's flag and reason) and each choice's label in
    # the reader's language.
    groups = export_rows(client, "/detainee-groups/")
    assert "Presunto" in labels(groups, "claim_status_label")
    agreements = export_rows(client, "/agreements/")
    assert {"Propuesto", "Confirmado"} <= labels(agreements, "claim_status_label")
    events = export_rows(client, "/events/")
    assert "Informado" in labels(events, "claim_status_label")
    assert "Programado" in labels(events, "occurrence_label")
    statements = export_rows(client, "/statements/")
    assert "Paráfrasis" in labels(statements, "kind_label")
