"""Stored markup is never live (issue 28, point 4): every text field of a
record of each kind holds an HTML tag, and every page, feed and admin page
that shows them must show it as text. Record text is the newsroom's and the
sources' words; one admin, or a pasted source, must never put markup into
another reader's page."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from cases.kinds import KINDS
from tests.factories import (
    make_actor,
    make_agreement,
    make_citation,
    make_event,
    make_facility,
    make_group,
    make_source,
    make_statement,
    make_transfer,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def tag(where):
    """Markup that would run if it reached a page as HTML."""
    return f'<img src=x id="injected-{where}">'


@pytest.fixture
def records_with_markup():
    source = make_source(
        title=f"Fictional source {tag('source-title')}",
        publisher=tag("publisher"),
        description=tag("source-description"),
        text=f"First paragraph {tag('source-text')}.\nSecond paragraph, quoted below.",
    )
    speaker = make_actor(
        name=f"Fictional speaker {tag('actor-name')}",
        role=tag("actor-role"),
        description=tag("actor-description"),
        country=tag("actor-country"),
    )
    facility = make_facility(name=f"Fictional prison {tag('facility-name')}", location=tag("loc"))
    agreement = make_agreement(
        title=f"Fictional pact {tag('agreement-title')}",
        summary=tag("agreement-summary"),
        financial_terms=tag("terms"),
    )
    group = make_group(
        name=f"Fictional group {tag('group-name')}",
        accusation=tag("accusation"),
        size_stated=tag("size"),
        nationality=tag("nationality"),
        facility=facility,
    )
    transfer = make_transfer(
        [group],
        title=f"Fictional flight {tag('transfer-title')}",
        summary=tag("transfer-summary"),
        count_stated=tag("count"),
        date_stated=tag("date"),
        destination=facility,
        agreement=agreement,
    )
    event = make_event(
        [speaker],
        title=f"Fictional visit {tag('event-title')}",
        summary=tag("event-summary"),
        location=tag("event-location"),
    )
    statement = make_statement(
        speaker=speaker, text=f"Fictional words {tag('statement')}", medium=tag("medium")
    )
    for record in (speaker, facility, agreement, group, transfer, event, statement):
        make_citation(record, source=source, note=tag("citation-note"))
    # A correction whose reason carries markup too.
    transfer.count_stated = f"{tag('count-corrected')} dozens"
    transfer._change_reason, transfer._change_kind = tag("reason"), "correction"
    transfer.save()
    return [source, speaker, facility, agreement, group, transfer, event, statement]


LIVE = '<img src=x id="injected-'


def assert_no_live_markup(text, where):
    """The stored tag as markup, rather than as the text `&lt;img …`."""
    at = text.find(LIVE)
    assert at == -1, f"live markup on {where}: {text[max(at - 80, 0) :][:200]}"


def test_no_stored_markup_is_live_on_any_page(client, records_with_markup):
    urls = ["/", "/timeline/", "/corrections/", "/search/?q=fictional"]
    urls += [f"/{kind.url_prefix}/" for kind in KINDS]
    urls += [record.get_absolute_url() for record in records_with_markup]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_live_markup(response.content.decode(), url)


def test_no_stored_markup_is_live_in_a_feed(client, records_with_markup):
    for feed in ("cases:records_feed", "cases:corrections_feed"):
        root = ET.fromstring(client.get(reverse(feed)).content)
        for entry in root.iter(f"{ATOM}entry"):
            # A type="html" summary's text (XML decoded) is the HTML a feed
            # reader renders: the stored tag must be escaped in it.
            summary = entry.find(f"{ATOM}summary")
            if summary is not None and summary.get("type") == "html":
                assert_no_live_markup(summary.text or "", feed)


def test_no_stored_markup_is_live_in_admin(admin_client, records_with_markup):
    for record in records_with_markup:
        name = record._meta.model_name
        for url in (
            reverse(f"admin:cases_{name}_changelist"),
            reverse(f"admin:cases_{name}_change", args=[record.pk]),
            reverse(f"admin:cases_{name}_history", args=[record.pk]),
        ):
            response = admin_client.get(url)
            assert response.status_code == 200, url
            assert_no_live_markup(response.content.decode(), url)
    citation_form = admin_client.get(
        reverse("admin:cases_citation_add"),
        {"source": records_with_markup[0].pk, "paragraph": 1},
    )
    assert_no_live_markup(citation_form.content.decode(), "the citation form")


def test_no_stored_markup_is_live_in_a_brief(brief_client, records_with_markup):
    from tests.test_pdf import pdf_text

    # A brief is HTML drawn by WeasyPrint: live markup would draw an image
    # or a broken box, not its words. Its words in the PDF's text show it
    # stayed text.
    transfer = records_with_markup[5]
    text = pdf_text(brief_client.get(f"{transfer.get_absolute_url()}brief.pdf"))
    assert "injected-transfer-title" in re.sub(r"\s+", "", text)
