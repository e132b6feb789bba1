"""Guards for behaviour no test held before (issue 21, point 7): a mutation
audit changed each of these and no test failed. Each test here fails when
its behaviour is broken (the note on issue 21 says how that was checked)."""

import csv
import io
import json
import re

import pytest
from django.utils import timezone

from tests.factories import make_citation, make_group, make_source, make_transfer
from tests.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Fictional draft source that must stay unseen"


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def cited_by_a_draft_source():
    """A published transfer cited by a published source and by a draft one."""
    transfer = make_transfer(title="Fictional transfer cited twice")
    make_citation(transfer)
    make_citation(transfer, source=make_source(title=DRAFT_TITLE, publication_status="draft"))
    return transfer


@pytest.mark.parametrize("export_format", ["json", "csv", "citations.csv"])
def test_a_draft_source_never_appears_in_any_export(client, cited_by_a_draft_source, export_format):
    text = body(client.get("/transfers/", {"_export": export_format}))

    assert cited_by_a_draft_source.slug in text
    assert DRAFT_TITLE not in text
    if export_format == "json":
        json.loads(text)
    else:
        assert list(csv.reader(io.StringIO(text)))


def test_a_draft_source_never_appears_in_a_brief_for_a_reader_who_sees_no_drafts(
    brief_client, cited_by_a_draft_source
):
    url = f"{cited_by_a_draft_source.get_absolute_url()}brief.pdf"

    text = pdf_text(brief_client.get(url))

    assert "Fictional transfer cited twice" in text
    assert DRAFT_TITLE not in text


def test_an_as_of_brief_never_shows_a_record_as_it_stood_while_a_draft(brief_client, db):
    # An editor who may export briefs but not see drafts (brief_client), as
    # of a moment when the record was still a draft: refused, never shown.
    transfer = make_transfer(title="Fictional draft, published later", publication_status="draft")
    while_draft = timezone.now()
    transfer.publication_status = "published"
    transfer.save()

    response = brief_client.get(
        f"{transfer.get_absolute_url()}brief.pdf", {"as_of": while_draft.isoformat()}
    )

    assert response.status_code == 400
    assert "not yet public" in response.content.decode()
    table = brief_client.get("/transfers/brief.pdf", {"as_of": while_draft.isoformat()})
    assert "Fictional draft, published later" not in pdf_text(table)


def test_an_accusation_reads_alleged_beside_it_on_its_page_and_brief(client, brief_client, db):
    group = make_group(
        name="Fictional group of four", accusation="Fictional charges", claim_status="alleged"
    )

    page = client.get(group.get_absolute_url()).content.decode()
    brief = pdf_text(brief_client.get(f"{group.get_absolute_url()}brief.pdf"))

    for text in (re.sub(r"<[^>]+>", "", page), brief):
        assert "Fictional charges (alleged)" in " ".join(text.split())


def test_a_count_exactly_at_the_cap_is_exact_and_one_past_it_reads_cap_plus(client, db, settings):
    settings.TABLE_COUNT_CAP = 5
    for number in range(5):
        make_transfer(title=f"Fictional flight {number}")
    at_the_cap = client.get("/transfers/").content.decode()
    assert "5 transfers" in at_the_cap and "5+" not in at_the_cap

    make_transfer(title="Fictional flight 5")
    past_it = client.get("/transfers/").content.decode()
    assert "5+ transfers" in past_it
