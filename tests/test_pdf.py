"""PDF briefs: what a reader finds when they open the downloaded file.

Each test downloads a brief as a browser would and reads the PDF back with
pypdf: as `brief_client`, a reader who may export briefs but not see drafts,
or as `staff_client`, an editor, who sees drafts too. Text is compared with white space folded, because the PDF wraps lines
wherever the paper ends.
"""

import io
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from cases import views
from cases.models import Agreement, Citation, DetaineeGroup, Transfer
from cases.presentation import record_heading
from tests.factories import (
    make_actor,
    make_agreement,
    make_citation,
    make_facility,
    make_group,
    make_statement,
    make_transfer,
)

A4 = (595, 842)
LETTER = (612, 792)


def folded(text):
    return re.sub(r"\s+", " ", text).strip()


def read_pdf(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def pdf_text(response):
    return folded(" ".join(page.extract_text() for page in read_pdf(response).pages))


def page_size(reader, number=0):
    box = reader.pages[number].mediabox
    return round(float(box.width)), round(float(box.height))


def linked_paths(reader, prefix):
    """The site paths under `prefix` that the PDF links to, in page order, each
    once (a link whose text wraps gets one annotation per line)."""
    paths = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            uri = action.get("/URI") if action else None
            match = re.match(rf"https?://[^/]+({re.escape(prefix)}[\w-]+/)$", str(uri or ""))
            if match:
                paths.append(match.group(1))
    return list(dict.fromkeys(paths))


def html_row_paths(response, prefix):
    """The record links in the table body of an HTML table page, in order."""
    html = response.content.decode()
    body = html[html.index("<tbody") : html.index("</tbody>")]
    paths = re.findall(rf'href="({re.escape(prefix)}[\w-]+/)"', body)
    return list(dict.fromkeys(paths))


def today():
    return timezone.localdate().isoformat()


# --- Record briefs -----------------------------------------------------------

SEED_RECORDS = [
    ("agreements", Agreement, "safe-third-country"),
    ("agreements", Agreement, "custody-for-payment"),
    ("transfers", Transfer, "handover-of-17-to-cecot"),
    ("detainee-groups", DetaineeGroup, "hundreds-of-deported-migrants"),
    ("actors", None, "maria-elvira-salazar"),
    ("facilities", None, "cecot"),
    ("events", None, "white-house-meeting-april-14"),
    ("statements", None, "salazar-el-salvador-great-ally"),
]


@pytest.mark.parametrize(("prefix", "_model", "slug"), SEED_RECORDS)
def test_record_brief_holds_title_claim_status_quotes_and_page_numbers(
    brief_client, seed, prefix, _model, slug
):
    page = brief_client.get(f"/{prefix}/{slug}/")
    record = page.context["record"]

    text = pdf_text(brief_client.get(f"/{prefix}/{slug}/brief.pdf"))

    assert folded(record_heading(record)) in text
    if record._meta.model_name == "statement":
        # A brief prints a statement's words whole.
        assert folded(record.text) in text
    assert f"claim status: {record.get_claim_status_display()}".lower() in text.lower()
    citations = page.context["citations"]
    assert citations, "every seeded record is cited"
    for citation in citations:
        assert folded(citation.quote) in text
        assert folded(citation.source.title) in text
    assert "Page 1 of" in text


def test_record_brief_numbers_its_citations_as_endnotes(brief_client, seed):
    reader = read_pdf(brief_client.get("/agreements/safe-third-country/brief.pdf"))
    text = folded(" ".join(page.extract_text() for page in reader.pages))

    notes = text[text.index("Notes") :]
    quotes = Citation.objects.filter(agreement__slug="safe-third-country")
    assert len(re.findall(r"\b\d\.\s", notes)) >= quotes.count()


def test_source_brief_holds_the_quotes_taken_from_it(brief_client, seed):
    text = pdf_text(brief_client.get("/sources/trump-truth-social-post-bukele-visit/brief.pdf"))

    assert "Donald J. Trump's post on Truth Social" in text
    for citation in Citation.objects.filter(source__slug="trump-truth-social-post-bukele-visit"):
        assert folded(citation.quote) in text


def test_record_brief_downloads_with_a_dated_file_name(brief_client, seed):
    response = brief_client.get("/agreements/safe-third-country/brief.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="agreement-safe-third-country-{today()}.pdf"'
    )


def test_detainee_group_brief_file_name_spells_out_the_kind(brief_client, seed):
    response = brief_client.get("/detainee-groups/seventeen-handed-over/brief.pdf")

    assert (
        f'filename="detainee-group-seventeen-handed-over-{today()}.pdf"'
        in (response["Content-Disposition"])
    )


def test_record_brief_carries_title_author_and_creation_date_metadata(brief_client, seed):
    reader = read_pdf(brief_client.get("/agreements/safe-third-country/brief.pdf"))

    assert reader.metadata.title == "“Safe Third Country” migration agreement"
    assert reader.metadata.author == "Deportation tracker"
    assert reader.metadata.creation_date.date() == timezone.now().date()


def test_brief_has_the_tracker_name_and_generation_time_on_top(brief_client, seed):
    text = pdf_text(brief_client.get("/agreements/custody-for-payment/brief.pdf"))

    assert "Deportation tracker" in text
    assert f"Generated {timezone.localtime():%-d %B %Y}" in text


# Layout (fonts): on PostgreSQL only in CI (tests/conftest.py).
@pytest.mark.database_agnostic
def test_spanish_accents_come_out_in_embedded_fonts(brief_client, seed):
    reader = read_pdf(brief_client.get("/actors/maria-elvira-salazar/brief.pdf"))

    assert "María Elvira Salazar" in reader.pages[0].extract_text()
    fonts = [
        font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()
    ]
    assert fonts
    for font in fonts:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
        assert "Brief" in font["/BaseFont"], "only the tracker's own fonts are used"


# Layout (paper): on PostgreSQL only in CI (tests/conftest.py).
@pytest.mark.database_agnostic
def test_record_brief_is_a4_by_default_and_us_letter_on_request(brief_client, seed):
    a4 = read_pdf(brief_client.get("/agreements/safe-third-country/brief.pdf"))
    letter = read_pdf(brief_client.get("/agreements/safe-third-country/brief.pdf?paper=letter"))

    assert page_size(a4) == A4
    assert page_size(letter) == LETTER


@pytest.mark.parametrize("paper", ["a3", "A4 landscape", "x" * 500, "<script>"])
def test_unknown_paper_size_gives_a_clear_message(brief_client, seed, paper):
    response = brief_client.get("/agreements/safe-third-country/brief.pdf", {"paper": paper})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Paper size must be “a4” or “letter”" in response.content.decode()


def test_draft_record_brief_is_not_found_for_readers_but_given_to_editors(
    brief_client, staff_client
):
    make_agreement(slug="secret-pact", title="Secret pact", publication_status="draft")

    assert brief_client.get("/agreements/secret-pact/brief.pdf").status_code == 404
    text = pdf_text(staff_client.get("/agreements/secret-pact/brief.pdf"))
    assert "Secret pact" in text
    assert "draft, not public" in text.lower()


def test_record_brief_leaves_out_related_drafts_for_readers(brief_client, db):
    agreement = make_agreement(slug="public-pact", title="Public pact")
    hidden = make_actor(name="Hidden negotiator", publication_status="draft")
    make_actor(name="Known negotiator")
    agreement.party_roles.create(actor=hidden, role="Party")
    make_transfer(title="Hidden flight", agreement=agreement, publication_status="draft")

    text = pdf_text(brief_client.get("/agreements/public-pact/brief.pdf"))

    assert "Public pact" in text
    assert "Hidden negotiator" not in text
    assert "Hidden flight" not in text


def test_missing_record_brief_is_not_found(brief_client, db):
    assert brief_client.get("/agreements/no-such-agreement/brief.pdf").status_code == 404


def test_record_brief_runs_the_same_queries_however_many_related_records(brief_client, db):
    def queries_for_brief_with(groups):
        transfer = make_transfer(groups=[make_group() for _ in range(groups)])
        for _ in range(groups):
            make_citation(transfer)
        with CaptureQueriesContext(connection) as queries:
            read_pdf(brief_client.get(f"/transfers/{transfer.slug}/brief.pdf"))
        return len(queries)

    assert queries_for_brief_with(2) == queries_for_brief_with(12)


# --- Table briefs ------------------------------------------------------------


def test_transfers_brief_filtered_to_cecot_lists_exactly_the_rows_of_the_page(brief_client, seed):
    page = brief_client.get("/transfers/", {"destination": "cecot"})
    reader = read_pdf(brief_client.get("/transfers/brief.pdf", {"destination": "cecot"}))
    text = folded(" ".join(p.extract_text() for p in reader.pages))

    page_rows = html_row_paths(page, "/transfers/")
    assert page_rows == ["/transfers/handover-of-17-to-cecot/"]
    assert linked_paths(reader, "/transfers/") == page_rows
    assert "Handover of 17 alleged criminals to CECOT" in text
    assert "Deportation of hundreds" not in text
    assert "Destination facility: Counter-Terrorism Prison Center (CECOT)" in text
    assert "1 row." in text
    assert "Page 1 of 1" in text


def test_table_brief_keeps_the_page_sort(brief_client, seed):
    for sort in ("title", "-title"):
        page = brief_client.get("/agreements/", {"sort": sort})
        reader = read_pdf(brief_client.get("/agreements/brief.pdf", {"sort": sort}))

        assert linked_paths(reader, "/agreements/") == html_row_paths(page, "/agreements/")
    assert "Sorted by Agreement (descending)" in pdf_text(
        brief_client.get("/agreements/brief.pdf", {"sort": "-title"})
    )


def test_table_brief_prints_every_matching_row_not_one_page(brief_client, db):
    facility = make_facility(slug="big-prison", name="Big prison")
    for number in range(30):
        make_transfer(title=f"Flight {number:02d}", destination=facility)

    reader = read_pdf(brief_client.get("/transfers/brief.pdf", {"per_page": 10, "page": 2}))

    assert len(linked_paths(reader, "/transfers/")) == 30


def test_table_brief_runs_the_same_queries_however_many_rows(brief_client, db):
    def queries_for(rows):
        for _ in range(rows):
            make_transfer(
                destination=make_facility(),
                agreement=make_agreement(parties=[make_actor()]),
                groups=[make_group()],
            )
        with CaptureQueriesContext(connection) as queries:
            read_pdf(brief_client.get("/transfers/brief.pdf"))
        return len(queries)

    assert queries_for(3) == queries_for(30)


# Layout (paper): on PostgreSQL only in CI (tests/conftest.py).
@pytest.mark.database_agnostic
def test_table_brief_is_landscape_for_a_wide_table_and_names_the_file_by_table(brief_client, seed):
    response = brief_client.get("/transfers/brief.pdf", {"paper": "letter"})
    reader = read_pdf(response)

    assert page_size(reader) == tuple(reversed(LETTER))
    assert response["Content-Disposition"] == f'attachment; filename="transfers-{today()}.pdf"'
    assert reader.metadata.title == "Transfers"


def test_filtered_table_brief_says_so_in_its_title(brief_client, seed):
    reader = read_pdf(brief_client.get("/transfers/brief.pdf", {"destination": "cecot"}))

    assert reader.metadata.title == "Transfers, as filtered"


@pytest.mark.parametrize(
    "params",
    [
        {"date_after": "not-a-date"},
        {"destination": "no-such-facility"},
        {"claim_status": "certain"},
    ],
)
def test_bad_filter_on_a_table_brief_gives_a_clear_message(brief_client, seed, params):
    response = brief_client.get("/transfers/brief.pdf", params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "These filters could not be used, so no PDF was made." in body
    assert 'href="/transfers/?' in body


@pytest.mark.parametrize(
    "query",
    [
        "sort=nonsense",
        "page=-3&per_page=100000",
        "_export=xlsx",
        "_export=csv",
        "q=%00%FF",
        "q=" + "a" * 5000,
    ],
)
def test_odd_parameters_on_a_table_brief_never_give_a_server_error(brief_client, seed, query):
    response = brief_client.get(f"/transfers/brief.pdf?{query}")

    assert response.status_code < 500
    assert response["Content-Type"] in ("application/pdf", "text/html; charset=utf-8")


def test_table_brief_over_its_cap_asks_to_narrow_the_filters(brief_client, seed):
    with mock.patch.object(views, "TABLE_BRIEF_ROW_CAP", 1):
        response = brief_client.get("/transfers/brief.pdf")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "These filters match 2 rows; a PDF brief prints at most 1." in body
    assert "Narrow the filters" in body


def test_table_brief_hides_drafts_from_readers_and_shows_editors(brief_client, staff_client, seed):
    make_transfer(title="Unannounced flight", publication_status="draft")

    assert "Unannounced flight" not in pdf_text(brief_client.get("/transfers/brief.pdf"))
    assert "Unannounced flight" in pdf_text(staff_client.get("/transfers/brief.pdf"))


# --- Case dossier --------------------------------------------------------------


@pytest.fixture
def drafts(seed):
    """A draft of each kind the dossier prints, tied to published records."""
    custody = Agreement.objects.get(slug="custody-for-payment")
    draft_actor = make_actor(
        slug="draft-actor", name="Unnamed draft official", publication_status="draft"
    )
    custody.party_roles.create(actor=draft_actor, role="Draft role")
    draft_group = make_group(name="Draft detainee group", publication_status="draft")
    make_agreement(slug="draft-agreement", title="Draft side deal", publication_status="draft")
    make_transfer(
        title="Draft secret flight",
        agreement=custody,
        groups=[draft_group],
        publication_status="draft",
    )
    return [
        "Unnamed draft official",
        "Draft detainee group",
        "Draft side deal",
        "Draft secret flight",
    ]


def test_dossier_holds_every_published_agreement_transfer_and_group_and_no_draft(
    brief_client, drafts
):
    response = brief_client.get("/dossier.pdf")
    text = pdf_text(response)

    for model in (Agreement, Transfer, DetaineeGroup):
        published = model.objects.published()
        assert published.exists()
        for record in published:
            assert folded(str(record)) in text
    for draft in drafts:
        assert draft not in text
    assert "Draft" not in text
    assert response["Content-Disposition"] == f'attachment; filename="case-dossier-{today()}.pdf"'


def test_dossier_shows_editors_the_drafts_marked(staff_client, drafts):
    text = pdf_text(staff_client.get("/dossier.pdf"))

    for draft in drafts:
        assert draft in text


def test_dossier_has_counts_actors_timeline_notes_sources_and_page_numbers(brief_client, seed):
    reader = read_pdf(brief_client.get("/dossier.pdf"))
    text = folded(" ".join(page.extract_text() for page in reader.pages))

    assert "Key figures" in text
    assert "2 agreements" in text
    assert "2 transfers" in text
    assert "3 groups of detainees" in text
    assert "People and organizations involved" in text
    assert "Tren de Aragua" in text
    assert "Nayib Bukele" in text
    # Dated items in date order, then undated ones by the source's wording.
    timeline = text[text.index("Dated items in date order") : text.index("Arrangements The")]
    # The landing is undated (the article dates only its report, "this Saturday").
    assert timeline.index("14 April 2025") < timeline.index("reported this Saturday")
    assert timeline.index("14 April 2025") < timeline.index("the most recent operation")
    for citation in Citation.objects.filter(agreement__slug="custody-for-payment"):
        assert folded(citation.quote) in text
    assert "Donald J. Trump's post on Truth Social about Bukele's visit" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert reader.metadata.title == "Case dossier: U.S. deportations to El Salvador"
    assert page_size(reader) == A4


def test_dossier_over_its_cap_points_to_the_table_briefs(brief_client, seed):
    with mock.patch.object(views, "DOSSIER_RECORD_CAP", 10):
        response = brief_client.get("/dossier.pdf")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Use the PDF brief of each table" in response.content.decode()


def test_dossier_with_bad_paper_gives_a_clear_message(brief_client, seed):
    response = brief_client.get("/dossier.pdf", {"paper": "tabloid"})

    assert response.status_code == 400
    assert "Paper size must be" in response.content.decode()


# --- Links from the pages ------------------------------------------------------


def test_every_detail_page_links_to_its_pdf_brief(brief_client, seed):
    for prefix, _model, slug in SEED_RECORDS:
        page = brief_client.get(f"/{prefix}/{slug}/")
        assert f'href="/{prefix}/{slug}/brief.pdf"' in page.content.decode()


def test_table_page_links_to_its_brief_with_the_same_filters(brief_client, seed):
    page = brief_client.get("/transfers/", {"destination": "cecot", "sort": "-title"})

    assert 'href="/transfers/brief.pdf?destination=cecot&amp;sort=-title"' in (
        page.content.decode()
    )


def test_home_page_links_to_the_dossier(brief_client, seed):
    assert 'href="/dossier.pdf"' in brief_client.get("/").content.decode()


def test_statement_by_a_draft_speaker_keeps_the_speaker_out_of_briefs(brief_client, db):
    speaker = make_actor(name="Unannounced spokesperson", publication_status="draft")
    statement = make_statement(speaker=speaker, text="Words on the record.")

    record_text = pdf_text(brief_client.get(f"/statements/{statement.slug}/brief.pdf"))
    table_text = pdf_text(brief_client.get("/statements/brief.pdf"))
    dossier_text = pdf_text(brief_client.get("/dossier.pdf"))

    for text in (record_text, table_text, dossier_text):
        assert "Unannounced spokesperson" not in text
    assert "Words on the record." in record_text
    assert "Words on the record." in dossier_text  # on the timeline


# Layout (pages): on PostgreSQL only in CI (tests/conftest.py); every row
# printed is tested on both by test_table_brief_prints_every_matching_row_not_one_page.
@pytest.mark.database_agnostic
def test_long_table_brief_repeats_its_header_and_numbers_every_page(brief_client, db):
    for number in range(80):
        make_transfer(title=f"Flight number {number:02d} with a long enough title to wrap")

    reader = read_pdf(brief_client.get("/transfers/brief.pdf"))

    pages = len(reader.pages)
    assert pages > 1
    for number, page in enumerate(reader.pages, 1):
        text = folded(page.extract_text())
        assert "Transfer Date People moved" in text
        assert f"Page {number} of {pages}" in text
    assert len(linked_paths(reader, "/transfers/")) == 80
