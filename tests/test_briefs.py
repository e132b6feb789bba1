"""Issue 12: the dossier an editor hands round as it is, and briefs pinned to
a moment in the records' history (`?as_of=`).

Read back as a reader gets them: the PDF's text through pypdf, its pages
drawn with pdftoppm, and the admin change form posted over HTTP."""

import re
import shutil
import subprocess

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cases import dossier
from cases.asof import JUST_BEFORE
from cases.kinds import DOSSIER_KINDS
from cases.models import Agreement, Statement
from cases.pdf import NoteNumbers, short_source_name
from cases.presentation import record_label
from tests import seed_copy
from tests.conftest import make_brief_client
from tests.factories import make_actor, make_event, make_statement, make_transfer
from tests.test_admin import change_form_data
from tests.test_pdf import drafts, folded, pdf_text, read_pdf  # noqa: F401 (a fixture)
from tests.test_surfaces import assert_statement_quoted_rightly

pytestmark = pytest.mark.django_db


def page_texts(response):
    return [folded(page.extract_text()) for page in read_pdf(response).pages]


# --- The dossier ------------------------------------------------------------------


@pytest.fixture(scope="module")
def dossier_pages(django_db_setup, django_db_blocker):
    """The seeded dossier as a brief reader downloads it, rendered once for
    the tests here that only read it (in a transaction rolled back after)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_copy.load_seed()
        response = make_brief_client().get("/dossier.pdf")
        transaction.set_rollback(True)
    return response, page_texts(response)


def test_dossier_page_one_has_title_as_of_key_figures_and_contents_with_page_numbers(
    dossier_pages,
):
    _, pages = dossier_pages
    first = pages[0]

    assert "Case dossier: U.S. deportations to El Salvador" in first
    assert f"As of {timezone.localtime():%-d %B %Y}" in first
    assert "Key figures" in first
    # A figure keeps its caveat: no number where the source states none.
    assert "people moved hundreds (the source states no number)" in first
    assert "status Under consideration" in first
    contents = first[first.index("Contents") :]
    for section in dossier.SECTIONS:
        title = str(section.title)  # a translation, worded in the reader's language
        match = re.search(rf"{re.escape(title)}[ .]+(\d+)", contents)
        assert match, title
        # The page the contents gives is the page the section starts on.
        assert title in pages[int(match.group(1)) - 1]


def test_dossier_prints_every_statement_in_full_quotes_quoted_paraphrases_reported(
    dossier_pages, seed
):
    _, pages = dossier_pages
    text = " ".join(pages).lower()
    said = text[text.index("every statement in full") :]

    statements = Statement.objects.published()
    # Ten, and the two paraphrases issue 22 added (paragraphs 1 and 13).
    assert statements.count() == 12
    for statement in statements:
        assert_statement_quoted_rightly(statement, said, whole=True)


def test_dossier_names_trump_bukele_rubio_and_noem_among_the_people_involved(dossier_pages):
    _, pages = dossier_pages
    text = " ".join(pages)
    involved = text[
        text.index("Everyone who acts or speaks in these records") : text.index("One note per")
    ]

    for name in ("Donald J. Trump", "Nayib Bukele", "Marco Rubio", "Kristi Noem"):
        assert name in involved
    # Grouped by kind.
    assert "Person" in involved


# Layout (page fill): on PostgreSQL only in CI (tests/conftest.py).
@pytest.mark.database_agnostic
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs pdftoppm (poppler-utils)")
def test_no_dossier_page_but_the_last_is_less_than_a_third_used(dossier_pages, tmp_path):
    response, _ = dossier_pages
    (tmp_path / "dossier.pdf").write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-gray", str(tmp_path / "dossier.pdf"), str(tmp_path / "page")],
        check=True,
    )
    images = sorted(tmp_path.glob("page-*.pgm"))
    assert len(images) > 2
    for number, path in enumerate(images[:-1], 1):
        assert used_height(Image.open(path)) > 1 / 3, f"page {number} is mostly empty"


def used_height(image):
    """How far down the text area (inside the page margins: 22 mm top, 20 mm
    bottom, of an A4 page's 297 mm) the lowest ink reaches, 0 to 1."""
    width, height = image.size
    top, bottom = round(height * 22 / 297), round(height * (297 - 20) / 297)
    pixels = image.load()
    for row in range(bottom - 1, top, -1):
        if any(pixels[column, row] < 160 for column in range(width)):
            return (row - top) / (bottom - top)
    return 0


def test_dossier_has_one_note_per_distinct_quote_numbered_in_order_of_first_use(brief_client, seed):
    context = dossier.dossier_context(AnonymousUser())
    html = render_to_string(
        "cases/pdf/dossier.html",
        {**context, "brief": {"as_of": timezone.now(), "generated_at": timezone.now()}},
    )
    body = html[: html.index('id="notes"')]
    markers = [
        int(number)
        for refs in re.findall(r'<span class="note-ref">\u2009\[([\d,]+)\]</span>', body)
        for number in refs.split(",")
    ]
    first_uses = list(dict.fromkeys(markers))

    endnotes = context["endnotes"]
    assert first_uses == list(range(1, len(endnotes) + 1))
    keys = {
        NoteNumbers.key(citation)
        for kind in DOSSIER_KINDS
        for record in kind.model.objects.published().in_dossier(AnonymousUser())
        for citation in record.citations.all()
    }
    assert len(endnotes) == len(keys)
    # Read back from the PDF: each distinct quote once among the notes, short source names.
    text = pdf_text(brief_client.get("/dossier.pdf"))
    notes = text[text.index("One note per quote") : text.rindex("Sources")]
    # Each note ends with its paragraph: as many notes as distinct quotes.
    assert len(re.findall(r", paragraph \d+", notes)) == len(endnotes)
    for citation in endnotes:
        # A quote that sits inside another of the same paragraph shares its
        # note: its words are there, within the longer quote.
        assert folded(citation.quote) in notes
        assert short_source_name(citation.source) in notes
    assert "Bukele's visit to the White House and the…, paragraph" in notes


@pytest.mark.usefixtures("drafts")
def test_dossier_gives_each_record_its_claim_status_and_editors_its_draft_mark(
    staff_client, staff_user
):
    text = pdf_text(staff_client.get("/dossier.pdf"))

    for kind in DOSSIER_KINDS:
        for record in kind.model.objects.in_dossier(staff_user).for_listing(staff_user):
            heading = folded(record_label(record, None))
            claim = record.get_claim_status_display().upper()
            mark = f"{heading} {claim}"
            assert mark in text, mark
            if not record.is_published:
                assert re.search(rf"{re.escape(heading)} {claim}( \w+)? DRAFT", text), heading


def test_dossier_runs_the_same_queries_however_many_records(brief_client, seed):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            read_pdf(brief_client.get("/dossier.pdf"))
        return len(captured)

    before = queries()
    speaker = make_actor(name="Fictional spokesperson")
    for number in range(4):
        make_transfer(title=f"Fictional flight {number}")
        make_event(title=f"Fictional meeting {number}", participants=[speaker])
        make_statement(speaker=speaker, text=f"Fictional words {number}.")
    assert queries() == before


def test_every_brief_page_footer_names_tracker_kind_and_as_of_time_and_page_one_its_permalink(
    brief_client, seed
):
    for url, kind in (
        ("/dossier.pdf", "Case dossier"),
        ("/agreements/safe-third-country/brief.pdf", "Agreement brief"),
        ("/transfers/brief.pdf?destination=cecot", "Table brief"),
    ):
        pages = page_texts(brief_client.get(url))
        for number, page in enumerate(pages, 1):
            assert f"Deportation tracker · {kind} · as of" in page, (url, number)
            assert f"Page {number} of {len(pages)}" in page, (url, number)
        assert "Made from http://testserver" in pages[0]
    table_first = page_texts(brief_client.get("/transfers/brief.pdf?destination=cecot"))[0]
    assert "Made from http://testserver/transfers/?destination=cecot" in table_first


# --- As-of briefs -------------------------------------------------------------------


REASON = "CBS News now reports a formal proposal."


@pytest.fixture
def corrected(admin_client, seed):
    """The “Safe Third Country” agreement, moved from under consideration to
    proposed in admin with a reason; returns the moment just before."""
    before = timezone.now()
    agreement = Agreement.objects.get(slug="safe-third-country")
    url = reverse("admin:cases_agreement_change", args=[agreement.pk])
    data = change_form_data(admin_client.get(url))
    data["status"] = "proposed"
    data["change_reason"] = REASON
    data["change_kind"] = "update"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return before


def stamp(moment):
    return date_format(timezone.localtime(moment), "j F Y, H:i T")


def test_record_brief_as_of_before_a_correction_shows_the_old_value_and_the_change(
    admin_client, corrected
):
    url = "/agreements/safe-third-country/brief.pdf"
    pages = page_texts(admin_client.get(url, {"as_of": corrected.isoformat()}))
    then = " ".join(pages)

    assert "Under consideration" in then
    assert "Proposed" not in then  # the value; the claim status reads PROPOSED
    assert "Changed since then" in then
    assert f"status changed. Reason given: {REASON}" in then
    assert "not its links to other records or its citations" in then
    for page in pages:
        assert f"as of {stamp(corrected)}" in page

    now = pdf_text(admin_client.get(url))
    assert "Proposed" in now
    assert "Under consideration" not in now
    assert "Changed since then" not in now


def test_dossier_as_of_before_a_correction_shows_the_old_value_and_the_change(
    admin_client, corrected
):
    pages = page_texts(admin_client.get("/dossier.pdf", {"as_of": corrected.isoformat()}))
    then = " ".join(pages)

    assert (
        "“Safe Third Country” migration agreement PROPOSED according to CBS News: status Under consideration"
        in (then)
    )
    assert f"status changed. Reason given: {REASON}" in then
    for page in pages:
        assert f"Case dossier · as of {stamp(corrected)}" in page

    now = pdf_text(admin_client.get("/dossier.pdf"))
    assert (
        "“Safe Third Country” migration agreement PROPOSED according to CBS News: status Proposed"
        in now
    )
    assert "Under consideration" not in now


def test_table_brief_as_of_filters_on_the_values_as_they_stood(admin_client, corrected):
    params = {"status": "under_consideration"}

    then = pdf_text(
        admin_client.get("/agreements/brief.pdf", {**params, "as_of": corrected.isoformat()})
    )
    now = pdf_text(admin_client.get("/agreements/brief.pdf", params))

    assert "“Safe Third Country” migration agreement" in then
    assert "1 row." in then
    assert f"status changed. Reason given: {REASON}" in then
    assert "Safe Third Country" not in now
    assert "0 rows." in now


def test_record_page_offers_the_brief_as_it_stood_before_each_correction(admin_client, corrected):
    page = admin_client.get("/agreements/safe-third-country/").content.decode()

    links = re.findall(r'href="(/agreements/safe-third-country/brief\.pdf\?as_of=[^"]+)"', page)
    assert len(links) == 1
    assert "before the update of" in page  # the kind of change, then its time
    text = pdf_text(admin_client.get(links[0].replace("&amp;", "&")))
    assert "Under consideration" in text


def test_table_brief_as_of_runs_the_same_queries_however_many_rows(brief_client, seed):
    def queries(rows):
        for number in range(rows):
            make_transfer(title=f"Fictional flight {rows}-{number}")
        moment = timezone.now().isoformat()
        with CaptureQueriesContext(connection) as captured:
            read_pdf(brief_client.get("/transfers/brief.pdf", {"as_of": moment}))
        return len(captured)

    assert queries(2) == queries(12)


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2000-01-01T00:00", "was not in the tracker yet"),
        ("2999-01-01T00:00", "is in the future"),
        ("yesterday", "is not a time"),
        ("2026-13-45T99:99", "is not a time"),
    ],
)
def test_a_moment_before_the_record_or_in_the_future_gets_a_clear_message(
    brief_client, seed, as_of, message
):
    response = brief_client.get("/agreements/safe-third-country/brief.pdf", {"as_of": as_of})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


@pytest.mark.parametrize("url", ["/dossier.pdf", "/transfers/brief.pdf"])
def test_dossier_and_table_brief_refuse_a_moment_in_the_future_or_before_the_tracker(
    brief_client, seed, url
):
    assert brief_client.get(url, {"as_of": "2999-01-01T00:00"}).status_code == 400
    if url == "/dossier.pdf":
        response = brief_client.get(url, {"as_of": "2000-01-01"})
        assert response.status_code == 400
        assert "Nothing was in the tracker yet" in response.content.decode()


# --- Any ?as_of= gets a brief or a clear 400, never a 5xx (issue 21) ---------------

BRIEF_URLS = [
    "/dossier.pdf",
    "/agreements/safe-third-country/brief.pdf",
    "/agreements/brief.pdf",
    "/statements/brief.pdf",
]


@pytest.mark.parametrize("url", BRIEF_URLS)
def test_a_table_or_record_brief_as_it_stood_answers_for_every_kind_of_as_of(
    brief_client, seed, url
):
    # The statements brief failed on any as_of: its rows, read from history,
    # are a list, which the uniform-column check tried to aggregate.
    response = brief_client.get(url, {"as_of": timezone.now().isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("as_of", ["2026-11-20T12:00-16:00", "2026-11-20T12:00+23:59"])
@pytest.mark.parametrize("url", BRIEF_URLS)
def test_an_offset_no_clock_uses_is_refused_with_a_message(brief_client, seed, url, as_of):
    # PostgreSQL refuses offsets past ±15:59 ("time zone displacement out of range").
    response = brief_client.get(url, {"as_of": as_of})

    assert response.status_code == 400
    assert "time zone offset no clock uses" in response.content.decode()


def test_a_refusal_writes_its_moment_as_a_date_in_the_readers_language(brief_client, seed):
    # The setting's name went to dateformat.format, which read each letter of
    # "DATETIME_FORMAT" as a format character ("SatAMUTCNovember...").
    english = brief_client.get(
        "/agreements/safe-third-country/brief.pdf", {"as_of": "2999-01-01T00:00"}
    ).content.decode()
    spanish = brief_client.get(
        "/agreements/safe-third-country/brief.pdf",
        {"as_of": "2999-01-01T00:00"},
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()

    assert "January 1, 2999" in english or "1 January 2999" in english, english
    assert "UTCJanuary" not in english
    assert "enero de 2999" in spanish, spanish


def test_a_bare_date_means_the_end_of_that_day():
    from django.test import RequestFactory

    from cases.asof import requested_moment

    moment = requested_moment(RequestFactory().get("/", {"as_of": "2026-11-20"}))

    assert timezone.localtime(moment).date().isoformat() == "2026-11-20"
    assert timezone.localtime(moment).time().isoformat() == "23:59:59.999999"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(as_of=st.one_of(st.datetimes(timezones=st.timezones()).map(str), st.text(max_size=40)))
def test_no_as_of_value_gives_a_server_error(brief_client, seed, as_of):
    for url in ("/agreements/safe-third-country/brief.pdf", "/statements/brief.pdf"):
        response = brief_client.get(url, {"as_of": as_of})
        assert response.status_code in (200, 400), (url, as_of, response.status_code)


def test_an_as_of_brief_says_when_the_record_was_last_corrected_as_it_stood(
    brief_client, admin_client, seed
):
    agreement = Agreement.objects.get(slug="safe-third-country")
    url = reverse("admin:cases_agreement_change", args=[agreement.pk])
    data = change_form_data(admin_client.get(url))
    data.update(status="proposed", change_reason="A later report", change_kind="correction")
    assert admin_client.post(url, data).status_code == 302
    corrected = agreement.history.first().history_date
    brief = f"{agreement.get_absolute_url()}brief.pdf"

    now = " ".join(page_texts(brief_client.get(brief)))
    before = " ".join(
        page_texts(brief_client.get(brief, {"as_of": (corrected - JUST_BEFORE).isoformat()}))
    )

    assert "Last corrected" in now
    # Before its only correction it had not been corrected: the brief of it
    # as it stood then does not carry the later correction's time.
    assert "Last corrected" not in before


def test_the_record_page_labels_each_earlier_version_by_its_kind_and_time(admin_client, seed):
    agreement = Agreement.objects.get(slug="safe-third-country")
    url = reverse("admin:cases_agreement_change", args=[agreement.pk])
    for status, kind in (("proposed", "correction"), ("under_consideration", "update")):
        data = change_form_data(admin_client.get(url))
        data.update(status=status, change_reason="A later report", change_kind=kind)
        assert admin_client.post(url, data).status_code == 302

    page = admin_client.get(agreement.get_absolute_url()).content.decode()
    labels = re.findall(r'class="as-it-stood-links">(.*?)</ul>', page, re.S)[0]
    links = re.findall(r"<a [^>]*>(.*?)</a>", labels)
    assert len(links) == 2 and len(set(links)) == 2
    assert links[0].startswith("before the update of") and links[1].startswith(
        "before the correction of"
    )


def test_the_seed_is_in_the_tracker_from_the_day_its_records_say(brief_client, seed, client):
    # History, "data as of" and as-of briefs tell one story: the seed's
    # records were last revised on 4 December 2026 (issue 22's corrections;
    # the others on 27 November), and a brief as of a moment after a
    # record's last update shows it.
    home = client.get("/").content.decode()
    assert "4 December 2026" in home or "December 4, 2026" in home
    response = brief_client.get("/actors/donald-trump/brief.pdf", {"as_of": "2026-11-28"})
    assert response.status_code == 200
    response = brief_client.get(
        "/agreements/safe-third-country/brief.pdf", {"as_of": "2026-12-04T13:00Z"}
    )
    assert response.status_code == 200
