"""WeasyPrint fetches nothing but the project's own static files.

Two walls: templates escape a record's text, so markup in it is printed, not
obeyed; and the URL fetcher refuses every URL that is not a project static
file or `data:`, before any network or file access.
"""

import io
import re
import socket
import urllib.request
from unittest import mock

import pytest
from django.test import override_settings
from pypdf import PdfReader

from cases.pdf import FetchRefused, StaticFilesOnlyFetcher
from tests.factories import make_agreement, make_citation, make_transfer

SITE = "http://testserver/"
FILE_IMAGE = '<img src="file:///etc/passwd">'
WEB_IMAGE = '<img src="http://example.com/x.png">'


@pytest.fixture
def fetcher():
    return StaticFilesOnlyFetcher(SITE)


@pytest.fixture
def no_network_or_urllib():
    """Any attempt to open a socket or a urllib request fails the test loudly."""
    with (
        mock.patch.object(socket.socket, "connect", side_effect=AssertionError("network")),
        mock.patch.object(
            urllib.request.OpenerDirector, "open", side_effect=AssertionError("urllib open")
        ) as urllib_open,
    ):
        yield urllib_open


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file:///work/main/static/css/pdf.css",
        "http://example.com/x.png",
        "https://example.com/static/css/pdf.css",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.com/x.png",
        "javascript:alert(1)",
        "http://testserver/admin/",
        "http://testserver/agreements/",
        "http://testserver.example.com/static/css/pdf.css",
        "http://testserver:8080/static/css/pdf.css",
        "http://testserver/static/../tracker/settings.py",
        "http://testserver/static/%2e%2e/tracker/settings.py",
        "http://testserver/static/css/../../tracker/settings.py",
        "http://testserver/static/css/%2E%2E/%2E%2E/cases/models.py",
        "http://testserver/static//etc/passwd",
        "http://testserver/static/%2Fetc%2Fpasswd",
        "http://testserver/static/css\\..\\..\\manage.py",
        "http://testserver/static/css/pdf.css%00.png",
        "http://testserver/static/",
        "http://testserver/static/css/does-not-exist.css",
        "/static/css/pdf.css",
        "not a url",
    ],
)
def test_fetcher_refuses_anything_but_project_static_files(fetcher, no_network_or_urllib, url):
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert not no_network_or_urllib.called


def test_fetcher_serves_the_brief_stylesheet_from_disk(fetcher, no_network_or_urllib):
    response = fetcher.fetch("http://testserver/static/css/pdf.css")

    assert response.content_type == "text/css"
    assert b"@font-face" in response.read()
    assert not no_network_or_urllib.called


def test_fetcher_serves_the_embedded_fonts(fetcher):
    response = fetcher.fetch("http://testserver/static/fonts/DejaVuSans.ttf")

    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font


def test_fetcher_allows_data_urls(fetcher):
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")

    assert response.read() == b"hello"


def test_fetcher_follows_no_redirects(fetcher):
    assert not any(
        isinstance(handler, urllib.request.HTTPRedirectHandler) for handler in fetcher.handlers
    )


def test_fetcher_refuses_a_symlink_out_of_the_static_folder(tmp_path, settings):
    static = tmp_path / "static"
    static.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the PDF")
    (static / "innocent.css").symlink_to(secret)
    (static / "real.css").write_text("body {}")

    with override_settings(STATICFILES_DIRS=[static], STATIC_ROOT=None):
        fetcher = StaticFilesOnlyFetcher(SITE)
        assert fetcher.fetch("http://testserver/static/real.css").read() == b"body {}"
        with pytest.raises(FetchRefused):
            fetcher.fetch("http://testserver/static/innocent.css")


# --- Markup in a record's text, end to end ----------------------------------


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def fetched_urls():
    """Every URL WeasyPrint asks the fetcher for, while still serving them."""
    urls = []
    original = StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    with mock.patch.object(StaticFilesOnlyFetcher, "fetch", spy):
        yield urls


@pytest.fixture
def hostile_records(db):
    agreement = make_agreement(
        slug="hostile-agreement",
        title=f"Pact {FILE_IMAGE}",
        summary=f"Summary with {WEB_IMAGE} inside.",
    )
    make_citation(agreement, quote="Second paragraph, quoted below.")
    transfer = make_transfer(
        slug="hostile-transfer",
        title=f"Flight {WEB_IMAGE}",
        summary=f"Summary {FILE_IMAGE}",
        agreement=agreement,
    )
    return agreement, transfer


def assert_only_static_fetched(urls):
    assert urls, "the brief's stylesheet should have been fetched"
    assert all(url.startswith("http://testserver/static/") for url in urls), urls


def test_markup_in_a_dossier_is_printed_as_text_and_never_fetched(
    brief_client, hostile_records, fetched_urls, no_network_or_urllib
):
    response = brief_client.get("/dossier.pdf")

    assert response.status_code == 200
    text = pdf_text(response)
    assert FILE_IMAGE in text
    assert WEB_IMAGE in text
    assert_only_static_fetched(fetched_urls)
    assert not no_network_or_urllib.called


def test_markup_in_a_record_brief_is_printed_as_text_and_never_fetched(
    brief_client, hostile_records, fetched_urls, no_network_or_urllib
):
    agreement, _ = hostile_records

    response = brief_client.get(f"/agreements/{agreement.slug}/brief.pdf")

    assert response.status_code == 200
    text = pdf_text(response)
    assert f"Pact {FILE_IMAGE}" in text
    assert f"Summary with {WEB_IMAGE} inside." in text
    assert f"Flight {WEB_IMAGE}" in text  # the related transfer, listed by name
    assert_only_static_fetched(fetched_urls)
    assert not no_network_or_urllib.called


def test_markup_in_a_table_brief_is_printed_as_text_and_never_fetched(
    brief_client, hostile_records, fetched_urls, no_network_or_urllib
):
    response = brief_client.get("/transfers/brief.pdf")

    assert response.status_code == 200
    assert f"Flight {WEB_IMAGE}" in pdf_text(response)
    assert_only_static_fetched(fetched_urls)
    assert not no_network_or_urllib.called


def test_the_brief_fetches_only_its_stylesheet_and_fonts(
    brief_client, hostile_records, fetched_urls
):
    brief_client.get("/agreements/hostile-agreement/brief.pdf")

    fetched = {url.removeprefix("http://testserver/static/") for url in fetched_urls}
    assert fetched <= {"css/pdf.css"} | {
        f"fonts/{name}.ttf"
        for name in (
            "DejaVuSans",
            "DejaVuSans-Bold",
            "DejaVuSans-Oblique",
            "DejaVuSerif",
            "DejaVuSerif-Bold",
            "DejaVuSerif-Italic",
        )
    }
    assert "css/pdf.css" in fetched


def test_even_unescaped_markup_cannot_make_weasyprint_fetch(no_network_or_urllib):
    """The second wall on its own: markup that slipped past the templates still
    fetches nothing, and the PDF is made without the refused resources."""
    from weasyprint import HTML

    asked = []
    fetcher = StaticFilesOnlyFetcher(SITE)
    original = fetcher.fetch

    def spy(url, headers=None):
        asked.append(url)
        return original(url, headers)

    fetcher.fetch = spy
    html = (
        f"{FILE_IMAGE}{WEB_IMAGE}"
        '<link rel="stylesheet" href="https://example.com/evil.css">'
        '<img src="/static/../tracker/settings.py"><p>Still printed</p>'
    )

    pdf = HTML(string=html, base_url=SITE, url_fetcher=fetcher).write_pdf()

    assert set(asked) == {
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/evil.css",
        "http://testserver/tracker/settings.py",
    }
    assert "Still printed" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert not no_network_or_urllib.called


def test_brief_loads_collected_static_files_with_hashed_names_over_https(
    brief_client, hostile_records, fetched_urls, settings, tmp_path
):
    """Production serves static files collected under hashed names (manifest
    storage); the fetcher finds them in STATIC_ROOT, and still nothing else."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    response = brief_client.get("/agreements/hostile-agreement/brief.pdf", secure=True)

    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert all("Brief" in font for font in fonts), fonts
    assert any(re.search(r"/static/css/pdf\.[0-9a-f]{12}\.css$", url) for url in fetched_urls)
    assert all(url.startswith("https://testserver/static/") for url in fetched_urls), fetched_urls
