"""An editor logs in through the login page and takes away PDF briefs: the
Safe Third Country agreement's, then the whole case's dossier."""

import io
import re

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cases.models import Agreement, Transfer
from tests.browser.conftest import PASSWORD

AGREEMENT = "“Safe Third Country” migration agreement"


def folded(text):
    """PDF text with white space folded: lines wrap wherever the paper ends."""
    return re.sub(r"\s+", " ", text).strip()


def read_download(download_info):
    download = download_info.value
    with open(download.path(), "rb") as downloaded:
        reader = PdfReader(io.BytesIO(downloaded.read()))
    text = folded(" ".join(page.extract_text() for page in reader.pages))
    return download.suggested_filename, reader, text


def test_editor_logs_in_and_downloads_the_agreement_brief_and_the_dossier(page, make_user):
    make_user("desk-editor", "editor")
    page.goto("/agreements/")
    # Before logging in, nobody is offered a PDF.
    expect(page.get_by_role("link", name="PDF", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Username").fill("desk-editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Back where they were, now as themselves.
    expect(page).to_have_url(re.compile(r"/agreements/$"))
    expect(page.get_by_role("button", name="Log out (desk-editor)")).to_be_visible()

    page.get_by_role("table").get_by_role("link", name=AGREEMENT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AGREEMENT)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF brief").click()
    filename, reader, text = read_download(download_info)
    assert filename == f"agreement-safe-third-country-{timezone.localdate().isoformat()}.pdf"
    assert reader.metadata.title and AGREEMENT in reader.metadata.title
    assert AGREEMENT in text
    assert "Under consideration" in text  # its status
    assert "Claim status: PROPOSED" in text
    agreement = Agreement.objects.get(slug="safe-third-country")
    quotes = [folded(citation.quote) for citation in agreement.citations.all()]
    assert quotes
    for quote in quotes:
        assert quote in text
    assert re.search(rf"[Pp]age 1 of {len(reader.pages)}", text)

    # The whole case, from the home page.
    page.get_by_role("link", name="Deportation tracker").first.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="case dossier (PDF)").click()
    filename, reader, text = read_download(download_info)
    assert filename.endswith(".pdf") and "dossier" in filename
    assert len(reader.pages) > 1
    for agreement in Agreement.objects.all():
        assert folded(agreement.title) in text
    for transfer in Transfer.objects.all():
        assert folded(transfer.title) in text
    assert re.search(rf"[Pp]age 1 of {len(reader.pages)}", text)
