"""One truth on every surface: each seeded record, wherever it is shown (its
page, its table row, the timeline, the home page, its CSV and JSON rows, its
record brief, its table's brief, the dossier), keeps every caveat its data
carries: alleged, proposed, scheduled, inferred, the source's words for a date
or a number it does not state, and a paraphrase never in quotation marks while
a direct quote always is."""

import csv
import html
import io
import json
import re

import pytest

from cases.kinds import KINDS, kind_of
from cases.models import Event, Statement
from cases.presentation import record_label
from tests.test_pdf import pdf_text

pytestmark = pytest.mark.django_db


def words(markup):
    """Visible text, white space folded, lower case (PDF badges are set in capitals).
    Scripts (a page's JSON-LD) are data for machines, not text a reader sees."""
    text = re.sub(r"<script\b.*?</script>", " ", markup, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip().lower()


def folded(text):
    return re.sub(r"\s+", " ", text).strip().lower()


def body(response):
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def expected_caveats(record):
    """The words that must travel with `record` on every surface that shows it."""
    caveats = []
    if getattr(record, "claim_status", None):
        caveats.append(record.get_claim_status_display().lower())
    if isinstance(record, Event) and record.occurrence != Event.Occurrence.OCCURRED:
        caveats.append(record.get_occurrence_display().lower())
    if getattr(record, "date_is_inferred", False):
        caveats.append("inferred")
    if hasattr(record, "date_stated") and not record.date and record.date_stated:
        caveats.append(record.date_stated.lower())
    return caveats


def unstated_numbers(record):
    """The source's words for a number it does not state ("hundreds")."""
    return [
        getattr(record, f"{name}_stated").lower()
        for name in ("count", "size")
        if hasattr(record, f"{name}_stated") and getattr(record, name) is None
    ]


def assert_statement_quoted_rightly(record, text, *, whole):
    """A paraphrase is never inside quotation marks; a direct quote always is
    (and whole, where the surface prints it whole)."""
    words_said = folded(record.text)
    if record.kind == Statement.Kind.PARAPHRASE:
        assert f"“{words_said[:30]}" not in text, record.slug
        assert f'"{words_said[:30]}' not in text, record.slug
        # Marked as a paraphrase where the words are, not only somewhere on the page.
        said_at = text.find(words_said[:30])
        assert said_at >= 0, record.slug
        assert "paraphrase" in text[max(0, said_at - 100) : said_at], record.slug
    elif whole:
        assert f"“{words_said}”" in text, record.slug
    else:
        assert f"“{words_said[:40]}" in text, record.slug


def assert_caveats(record, text, surface, *, numbers=True):
    for caveat in expected_caveats(record):
        assert caveat in text, (surface, record.slug, caveat)
    if numbers:
        for stated in unstated_numbers(record):
            assert stated in text, (surface, record.slug, stated)
            assert "states no number" in text, (surface, record.slug)


def seeded_records():
    return [record for kind in KINDS for record in kind.model.objects.all()]


def fragment_with_link(page, record, tag):
    """The <tag> element of `page` that links to `record`."""
    url = re.escape(record.get_absolute_url())
    pattern = rf"<{tag}\b[^>]*>(?:(?!</{tag}>).)*?href=\"{url}\"(?:(?!</{tag}>).)*</{tag}>"
    match = re.search(pattern, page, flags=re.S)
    assert match, (tag, record.slug)
    return words(match.group(0))


def test_every_seeded_record_keeps_its_caveats_on_the_web_surfaces(client, seed):
    home = body(client.get("/"))
    timeline = body(client.get("/timeline/"))
    for kind in KINDS:
        table = body(client.get(f"/{kind.url_prefix}/", {"per_page": 100}))
        exported_json = {
            row["slug"]: row
            for row in json.loads(body(client.get(f"/{kind.url_prefix}/?_export=json")))
        }
        exported_csv = {
            row["slug"]: row
            for row in csv.DictReader(
                io.StringIO(body(client.get(f"/{kind.url_prefix}/?_export=csv")))
            )
        }
        for record in kind.model.objects.all():
            page = words(body(client.get(record.get_absolute_url())))
            assert_caveats(record, page, "page")
            # A column left out because every row holds the same value is said
            # once above the table: that sentence belongs to every row.
            same = re.search(r'<p class="same-on-every-row">(.*?)</p>', table, flags=re.S)
            row = fragment_with_link(table, record, "tr") + (
                f" {words(same.group(1))}" if same else ""
            )
            assert_caveats(record, row, "table")
            if kind.on_timeline:
                # The timeline shows no counts: only what it shows must keep its caveat.
                timeline_item = fragment_with_link(timeline, record, "li")
                assert_caveats(record, timeline_item, "timeline", numbers=False)
            if isinstance(record, Event) and f'href="{record.get_absolute_url()}"' in home:
                assert_caveats(record, fragment_with_link(home, record, "li"), "home")
            if isinstance(record, Statement):
                assert_statement_quoted_rightly(record, page, whole=True)
                assert_statement_quoted_rightly(record, row, whole=False)
            for exported in (exported_json[record.slug], exported_csv[record.slug]):
                assert_exported_caveats(record, exported)


def assert_exported_caveats(record, row):
    """Exports carry the caveats as data: codes, flags and the source's words."""
    if getattr(record, "claim_status", None):
        assert row["claim_status"] == record.claim_status
    if isinstance(record, Event):
        assert row["occurrence"] == record.occurrence
    if hasattr(record, "date_stated"):
        assert row["date_stated"] == record.date_stated
        assert str(row["date_is_inferred"]).lower() == str(record.date_is_inferred).lower()
    for name in ("count", "size"):
        if hasattr(record, f"{name}_stated"):
            assert row[f"{name}_stated"] == getattr(record, f"{name}_stated")
            assert row[name] in (None, "") if getattr(record, name) is None else True
    if isinstance(record, Statement):
        assert row["kind"] == record.kind
        assert row["text"] == record.text


def test_every_seeded_record_keeps_its_caveats_in_its_brief(brief_client, seed):
    for record in seeded_records():
        text = folded(pdf_text(brief_client.get(f"{record.get_absolute_url()}brief.pdf")))
        assert_caveats(record, text, "record brief")
        if getattr(record, "claim_status", None):
            assert f"claim status: {record.get_claim_status_display().lower()}" in text
        if isinstance(record, Statement):
            assert_statement_quoted_rightly(record, text, whole=True)


def segment_after(text, start, needle, length=600):
    """The text from `needle` (searched from `start`) on, for `length` characters."""
    index = text.find(needle, start)
    assert index >= 0, needle
    return text[index : index + length]


def test_every_seeded_record_keeps_its_caveats_in_table_briefs_and_the_dossier(brief_client, seed):
    dossier = folded(pdf_text(brief_client.get("/dossier.pdf")))
    for kind in KINDS:
        table_brief = folded(pdf_text(brief_client.get(f"/{kind.url_prefix}/brief.pdf")))
        in_dossier = set(
            kind.model.objects.published().in_dossier(None).values_list("pk", flat=True)
        )
        for record in kind.model.objects.all():
            label = folded(record_label(record, None))
            row = segment_after(table_brief, 0, label[:60], length=len(label) + 300)
            # The printed table prints a statement's words whole, in their marks.
            assert_caveats(record, row, "table brief")
            if isinstance(record, Statement):
                assert_statement_quoted_rightly(record, row, whole=True)
            if kind.in_dossier and record.pk in in_dossier:
                section = dossier.find(folded(str(kind.dossier_title or kind.title)))
                assert section >= 0, kind.name
                # The entry's heading: its name, then its own claim status badge.
                heading = label
                if getattr(record, "claim_status", None):
                    heading += f" {record.get_claim_status_display().lower()}"
                entry = segment_after(dossier, section, heading, length=len(heading) + 700)
                assert_caveats(record, entry, "dossier")
                if isinstance(record, Statement):
                    assert_statement_quoted_rightly(record, entry, whole=True)


def test_a_scheduled_event_reads_as_scheduled_wherever_it_is_named(client, seed):
    meeting = Event.objects.get(slug="white-house-meeting-april-14")
    assert meeting.occurrence == Event.Occurrence.SCHEDULED
    for url in ("/", "/timeline/", "/events/", "/actors/nayib-bukele/", "/search/?q=White+House"):
        assert "scheduled" in fragment_with_link(
            body(client.get(url)), meeting, "li" if url != "/events/" else "tr"
        ), url


def test_kind_of_names_every_seeded_record():
    for kind in KINDS:
        assert kind_of(kind.model) is kind
