"""The tracker in Spanish (issue 16), read as a Spanish-language reader gets it.

- The catalogue is whole: every string the code and templates mark is in
  locale/es, translated, none fuzzy (the extraction is run again here, on a
  copy of the project, so a string marked since the catalogue was last made
  fails this test until it is translated).
- Every page kind, asked for in Spanish, shows no English interface string:
  its visible text is scanned for the catalogue's English strings. The
  records' own English words (quotes, the newsroom's titles with no Spanish
  version) are marked `lang="en"` and left out of the scan, as a screen
  reader reads them apart.
- The PDF briefs, read back with pypdf, are in Spanish, their quotes in English.
"""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from cases.kinds import KINDS
from cases.models import Event, Transfer
from tests import catalogue
from tests.test_pdf import folded, read_pdf
from tests.test_production import failing_urls  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


# --- The catalogue ----------------------------------------------------------


def test_every_entry_of_the_catalogue_is_translated_and_none_is_fuzzy():
    entries = [entry for entry in catalogue.read() if not entry.obsolete]
    assert len(entries) > 200
    untranslated = [entry.msgid for entry in entries if not all(entry.msgstr)]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_the_catalogue_compiles_with_its_placeholders_checked(tmp_path):
    # --check: each translation keeps the placeholders of its English.
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(catalogue.CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path):
    copy = tmp_path / "project"
    for folder in ("cases", "tracker", "templates", "locale"):
        shutil.copytree(PROJECT / folder, copy / folder, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(PROJECT / "manage.py", copy / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "es", "--no-obsolete"],
        cwd=copy,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy)},
        check=True,
        capture_output=True,
    )
    extracted = catalogue.read(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
    # A string makemessages only guessed (fuzzy: "publication status" from
    # "Claim status") is not translated either.
    missing = [
        entry.msgid for entry in extracted if not all(entry.msgstr) or "fuzzy" in entry.flags
    ]
    assert not missing, f"marked for translation but not translated: {missing}"


# --- Pages ------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a reader sees, and the accessible names and hints they hear
    (aria-label, title, placeholder, alt), leaving out scripts, styles and
    anything marked as being in English (the records' own words)."""

    SKIPPED = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    SPOKEN = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.parts = []

    def skipping(self):
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        english = (attrs.get("lang") or "").startswith("en") and tag != "html"
        skipped = english or tag in self.SKIPPED
        if not skipped and not self.skipping():
            self.parts.extend(attrs[name] for name in self.SPOKEN if attrs.get(name))
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.skipping():
            self.parts.append(data)

    def text(self):
        return " ".join(" ".join(self.parts).split())


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return parser.text()


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>")


def english_fragments():
    """Pieces of the catalogue's English that a Spanish page must not show:
    each translated string cut at its placeholders and markup, kept where a
    piece is clearly words (two or more, or one capitalised word of four
    letters or more) and its translation does not keep it (a name such as
    CECOT stays CECOT). A single word that the records' own names use
    ("Prison" in "Counter-Terrorism Prison Center") is left out: names are
    not translated, and are not the interface."""
    names = " ".join(str(record) for kind in KINDS for record in kind.model.objects.all())
    fragments = set()
    for entry in catalogue.read():
        if entry.obsolete or not entry.msgstr or entry.msgstr[0] == entry.msgid:
            continue
        for piece in PLACEHOLDER.split(entry.msgid):
            piece = " ".join(piece.split()).strip(" .,:;()·–-“”\"'")
            if not piece or piece in entry.msgstr[0]:
                continue
            if len(piece.split()) >= 2 or (
                len(piece) >= 4
                and piece[:1].isupper()
                and piece.isalpha()
                and not re.search(rf"\b{piece}\b", names)
            ):
                fragments.add(piece)
    return fragments


def english_left(html, fragments):
    text = visible_text(html)
    return sorted(
        fragment
        for fragment in fragments
        if re.search(rf"(?<![\w]){re.escape(fragment)}(?![\w])", text)
    )


def spanish_page_urls():
    urls = ["/", "/search/?q=CECOT", "/timeline/", "/corrections/", "/method/"]
    urls += ["/accounts/login/"]
    for kind in KINDS:
        urls.append(reverse(f"cases:{kind.name}_list"))
        record = kind.model.objects.published().first()
        urls.append(record.get_absolute_url())
    return urls


def test_every_page_kind_in_spanish_shows_no_english_interface_string(client, seed):
    fragments = english_fragments()
    leftovers = {}
    for url in spanish_page_urls():
        response = client.get(url, **SPANISH)
        assert response.status_code == 200, url
        assert response["Content-Language"] == "es"
        html = response.content.decode()
        assert '<html lang="es"' in html, url
        left = english_left(html, fragments)
        if left:
            leftovers[url] = left
    assert not leftovers, leftovers


def test_error_pages_in_spanish(client, seed, failing_urls):  # noqa: F811 (a fixture)
    fragments = english_fragments()
    for url, status in (("/no-such-page/", 404), ("/test-database-gone/", 503)):
        response = client.get(url, **SPANISH)
        assert response.status_code == status
        html = response.content.decode()
        assert '<html lang="es"' in html
        assert not english_left(html, fragments), url


def test_a_spanish_page_marks_the_records_english_words_and_keeps_quotes_whole(client, seed):
    transfer = Transfer.objects.published().get(count=17)
    # Where the newsroom's title has no Spanish version, it is shown in
    # English, marked so.
    Transfer.objects.filter(pk=transfer.pk).update(title_es="")
    html = client.get(transfer.get_absolute_url(), **SPANISH).content.decode()
    assert (
        f'lang="en">{transfer.title}' in html
        or f'lang="en">{transfer.title}'.replace("'", "&#x27;") in html
    )
    # The quotes are the article's English, word for word, marked as English.
    quote = transfer.citations.first().quote
    assert quote.split()[0] in html
    # (inside the marked element, perhaps in a paragraph of its own)
    assert re.search(
        r'<[^>]+lang="en"[^>]*>(?:\s*<[a-z]+>)*[^<]*' + re.escape(quote.split()[0]), html
    )
    # The source's undated wording is kept, the caveat around it in Spanish.
    assert "“the most recent operation” (la fuente no da fecha)" in visible_text(html)
    # Dates in Spanish, with their caveat.
    event = Event.objects.published().get(occurrence="scheduled")
    html = client.get(event.get_absolute_url(), **SPANISH).content.decode()
    assert "14 de abril de 2025 (deducida)" in visible_text(html)
    assert "Programado" in visible_text(html)


def test_a_spanish_version_of_a_title_is_shown_to_spanish_readers_only(client, seed):
    transfer = Transfer.objects.published().get(count=17)
    transfer.title_es = "Traslado de 17 presuntos pandilleros al CECOT (ficticio, de prueba)"
    transfer.save()
    spanish = client.get(transfer.get_absolute_url(), **SPANISH).content.decode()
    english = client.get(transfer.get_absolute_url()).content.decode()
    assert transfer.title_es in spanish
    assert transfer.title_es not in english
    assert transfer.title in english
    table = client.get(reverse("cases:transfer_list"), **SPANISH).content.decode()
    assert transfer.title_es in table


def test_accept_language_chooses_the_first_pages_language_and_the_switch_keeps_it(client, seed):
    english = client.get("/")
    assert english["Content-Language"] == "en"
    assert client.get("/", **SPANISH)["Content-Language"] == "es"
    # The switch in the header: a form posting to set_language, no script.
    switched = client.post(reverse("set_language"), {"language": "es", "next": "/timeline/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/timeline/"
    # The cookie now outweighs the browser's English.
    response = client.get("/timeline/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "es"
    assert '<html lang="es"' in response.content.decode()


def test_the_page_cache_never_gives_a_spanish_reader_the_english_page(client, seed):
    english = client.get("/transfers/").content.decode()
    spanish = client.get("/transfers/", **SPANISH)
    assert spanish["Content-Language"] == "es"
    assert "Accept-Language" in spanish["Vary"]
    assert spanish.content.decode() != english
    assert client.get("/transfers/")["Content-Language"] == "en"


def test_a_bad_filter_notice_is_in_spanish(client, seed):
    html = client.get("/transfers/?per_page=zero", **SPANISH).content.decode()
    assert "is not a number of rows" not in html
    assert not english_left(html, english_fragments())


# --- PDF briefs ----------------------------------------------------------------


def test_a_spanish_record_brief_has_spanish_headings_dates_and_caveats_and_english_quotes(
    brief_client, seed
):
    transfer = Transfer.objects.published().get(count=17)
    response = brief_client.get(f"{transfer.get_absolute_url()}brief.pdf?lang=es")
    assert response.status_code == 200
    text = folded(" ".join(page.extract_text() for page in read_pdf(response).pages))
    assert "Español" in text
    assert "Notas" in text
    assert "Personas trasladadas" in text
    assert "Página 1 de" in text
    quote = folded(transfer.citations.first().quote)
    assert quote[:40] in text
    for english in ("Notes", "People moved", "Page 1 of", "Generated", "Date not stated"):
        assert english not in text


def test_a_brief_follows_the_readers_language_and_refuses_an_unknown_one(brief_client, seed):
    transfer = Transfer.objects.published().get(count=17)
    url = f"{transfer.get_absolute_url()}brief.pdf"
    spanish = brief_client.get(url, **SPANISH)
    assert "Español" in folded(read_pdf(spanish).pages[0].extract_text())
    refused = brief_client.get(f"{url}?lang=xx")
    assert refused.status_code == 400
    assert "“xx”" in refused.content.decode()


def test_the_spanish_dossier_has_spanish_sections_and_the_articles_english_quotes(
    brief_client, seed
):
    response = brief_client.get("/dossier.pdf?lang=es")
    assert response.status_code == 200
    text = folded(" ".join(page.extract_text() for page in read_pdf(response).pages))
    assert "Qué pasó" in text
    assert "Quién dijo qué" in text
    assert "What happened" not in text
    # The article's words stay English, word for word, in the Spanish dossier.
    assert "extremely dangerous" in text
