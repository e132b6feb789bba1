"""Issue 24: briefs that go into the folder as they are.

Read back as a reader gets them: text through pdftotext (what "copy" gives)
and pypdf, each word's position through `pdftotext -bbox`, and the PDF's
catalogue and metadata through pypdf. The second source and its conflicting
figures are the FICTIONAL ones of tests/test_figures.py ("Fictional Daily —
test only"), never in the seed."""

import re
import shutil
import subprocess
from datetime import UTC
from urllib.parse import quote
from xml.etree import ElementTree

import pytest

from cases import data_version
from cases.models import Citation, ReportedFigure, Transfer
from tests.factories import make_citation
from tests.test_figures import add_fictional_count
from tests.test_pdf import folded, pdf_text, read_pdf

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)"
)
# The stylesheet's left and right margins (static/css/pdf.css), in points.
SIDE_MARGIN_PT = 16 / 25.4 * 72
PAPERS = [("en", "a4"), ("en", "letter"), ("es", "a4"), ("es", "letter")]
HANDOVER = "handover-of-17-to-cecot"


def copied_text(response, tmp_path):
    """The PDF's text as pdftotext gives it (what a reader copies)."""
    read_pdf(response)  # a PDF, not a refusal page
    path = tmp_path / "brief.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pages_of_words(response, tmp_path):
    """[(page width, [(word, x_min, x_max)])] for each page, by pdftotext -bbox."""
    path = tmp_path / "brief.pdf"
    path.write_bytes(response.content)
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in ElementTree.fromstring(xhtml).iter(f"{{{namespace['x']}}}page"):
        words = [
            (word.text, float(word.get("xMin")), float(word.get("xMax")))
            for word in page.iter(f"{{{namespace['x']}}}word")
        ]
        pages.append((float(page.get("width")), words))
    return pages


def assert_nothing_past_the_margins(response, tmp_path):
    for number, (width, words) in enumerate(pages_of_words(response, tmp_path), 1):
        # Half a point for rounding.
        past = [word for word, x_min, x_max in words if x_max > width - SIDE_MARGIN_PT + 0.5]
        past += [word for word, x_min, x_max in words if x_min < SIDE_MARGIN_PT - 0.5]
        assert not past, f"page {number}: {past} run past the margin"


@pytest.fixture
def second_source(seed):
    """Fictional conflicting figures on both transfers of the seed."""
    add_fictional_count(Transfer.objects.get(slug="deportation-of-hundreds"))
    handover = Transfer.objects.get(slug=HANDOVER)
    fictional = Citation.objects.filter(source__slug="fictional-daily").first().source
    fictional.text += "\nFictional Daily counted 19 men handed over to the prison."
    fictional.save()
    quote = make_citation(
        handover, source=fictional, quote="Fictional Daily counted 19 men handed over"
    )
    article = next(c for c in Citation.objects.filter(transfer=handover) if "17" in c.quote)
    for stated, citation in (("17", article), ("19", quote)):
        figure = ReportedFigure(
            transfer=handover, field="count", stated=stated, number=int(stated), citation=citation
        )
        figure.full_clean()
        figure.save()


# --- 1. Layout from the content ---------------------------------------------------


# Layout: on PostgreSQL only in CI (tests/conftest.py).
@pytest.mark.database_agnostic
@needs_poppler
@pytest.mark.parametrize("language,paper", PAPERS)
def test_transfers_brief_with_a_second_sources_figures_is_one_page_inside_its_margins(
    brief_client, second_source, tmp_path, language, paper
):
    response = brief_client.get(f"/transfers/brief.pdf?lang={language}&paper={paper}")
    pages = [folded(page.extract_text()) for page in read_pdf(response).pages]

    # The table starts on page 1, under its header, and both rows fit there:
    # each figure on a line of its own, not one word a line.
    assert len(pages) == 1
    assert "238" in pages[0] and "19" in pages[0]
    assert_nothing_past_the_margins(response, tmp_path)


@pytest.mark.database_agnostic
@needs_poppler
@pytest.mark.parametrize("language,paper", PAPERS)
def test_statements_brief_keeps_every_column_inside_the_margins(
    brief_client, seed, tmp_path, language, paper
):
    response = brief_client.get(f"/statements/brief.pdf?lang={language}&paper={paper}")
    text = pdf_text(response)

    assert ("Paraphrase" if language == "en" else "Paráfrasis") in text
    assert_nothing_past_the_margins(response, tmp_path)


@pytest.mark.database_agnostic
@needs_poppler
@pytest.mark.parametrize("language,paper", [("en", "a4"), ("es", "letter")])
def test_dossier_with_a_second_source_stays_inside_its_margins(
    brief_client, second_source, tmp_path, language, paper
):
    response = brief_client.get(f"/dossier.pdf?lang={language}&paper={paper}")
    assert_nothing_past_the_margins(response, tmp_path)
    pages = [folded(page.extract_text()) for page in read_pdf(response).pages]
    # A section's heading never ends a page: its first record is under it.
    for page in pages[:-1]:
        assert not page.split(" Page ")[0].rstrip().endswith(("People moved", "Arrangements"))


@needs_poppler
def test_a_badge_and_its_attribution_are_separate_words(brief_client, seed, tmp_path):
    dossier = copied_text(brief_client.get("/dossier.pdf"), tmp_path)
    statements = copied_text(brief_client.get("/statements/brief.pdf"), tmp_path)

    assert "PROPOSED according to CBS News" in folded(dossier)
    # A platform is where words were said, never who reports them (issue 22).
    assert "according to Truth Social" not in folded(statements)
    assert not re.search(r"[A-Z]{4,}(according to|said by|by )", dossier + statements)


@needs_poppler
def test_an_inferred_dates_reason_is_not_glued_to_the_date(brief_client, seed, tmp_path):
    text = copied_text(brief_client.get("/events/white-house-meeting-april-14/brief.pdf"), tmp_path)

    assert re.search(r"\)\s*\n\s*Why inferred:", text) or re.search(r"\) Why inferred:", text)
    assert ")Why inferred" not in text


# --- 2. Footnote marks that copy cleanly --------------------------------------------


NOTE_MARK = re.compile(r"\[(\d+(?:,\d+)*)\]")


@needs_poppler
def test_a_note_mark_never_joins_the_figure_before_it(brief_client, seed, tmp_path):
    text = copied_text(brief_client.get(f"/transfers/{HANDOVER}/brief.pdf"), tmp_path)
    flat = folded(text)

    # The count 17 and its note: "17 [1]", never "171".
    assert re.search(r"\b17 \[\d+\]", flat), flat[:600]
    assert not re.search(r"\d\[", flat)
    assert "El Salvador [" in flat


@needs_poppler
def test_record_brief_numbers_its_notes_in_the_order_a_reader_meets_them(
    brief_client, second_source, tmp_path
):
    text = folded(copied_text(brief_client.get(f"/transfers/{HANDOVER}/brief.pdf"), tmp_path))
    body = text[: text.rindex("Each note quotes the source word for word")]
    marks = [int(n) for found in NOTE_MARK.findall(body) for n in found.split(",")]
    notes = text[text.rindex("Each note quotes the source word for word") :]

    first_uses = list(dict.fromkeys(marks))
    assert first_uses == sorted(first_uses) == list(range(1, len(first_uses) + 1))
    # Within a mark, in order; and the fictional figure's quote is a note.
    for found in NOTE_MARK.findall(body):
        numbers = [int(n) for n in found.split(",")]
        assert numbers == sorted(numbers)
    assert "Fictional Daily counted 19 men handed over" in notes


# --- 3. Tagged, described PDFs ------------------------------------------------------


BRIEFS = [
    f"/transfers/{HANDOVER}/brief.pdf",
    "/transfers/brief.pdf?paper=letter",
    "/dossier.pdf?lang=es",
    "/agreements/safe-third-country/brief.pdf?as_of={as_of}",
]


@pytest.mark.parametrize("url", BRIEFS)
def test_every_brief_is_a_tagged_pdf_with_its_language_title_and_newsroom(
    brief_client, seed, settings, url
):
    settings.NEWSROOM_NAME = "The Fictional Ledger newsroom (test)"
    changed_at = data_version.read().changed_at
    # SQLite's may come back without its zone: it is UTC.
    changed_at = changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=UTC)
    as_of = quote(changed_at.isoformat(timespec="seconds"))
    reader = read_pdf(brief_client.get(url.replace("{as_of}", as_of)))
    catalog = reader.trailer["/Root"]

    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]) == ("es" if "lang=es" in url else "en")
    assert reader.metadata.title
    assert reader.metadata.author == "The Fictional Ledger newsroom (test)"
    assert reader.metadata.subject
    assert "El Salvador" in reader.metadata["/Keywords"]
    # Created when its data last changed (an as-of brief: at its moment).
    assert reader.metadata.creation_date == changed_at.replace(microsecond=0)


@needs_poppler
def test_pdfinfo_says_tagged_with_a_title(brief_client, seed, tmp_path):
    response = brief_client.get("/dossier.pdf")
    read_pdf(response)
    path = tmp_path / "dossier.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)

    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    assert re.search(r"^Title:\s+Case dossier", info.stdout, re.M)
