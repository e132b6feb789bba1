"""A record's lists are bounded (issue 28, point 1): its page, its brief and
each export row show at most RECORD_LIST_LIMIT of its quotes, related
records and corrections, say how many more there are and link to a table of
them all; the quotes of a source are a paged table of their own
(/citations/?source=<slug>) with its exports. The cost of a page, a brief or
an export does not grow with what one record holds: a record quoted 5,000
times runs the same queries as one quoted 60 times."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Citation
from tests.factories import make_event, make_facility, make_source, make_transfer

LIMIT = 7
HEAVY = 5_000


@pytest.fixture(autouse=True)
def list_limit(settings):
    settings.RECORD_LIST_LIMIT = LIMIT
    return LIMIT


def quote_many(source, transfer, number):
    """`number` quotes of `source` for `transfer`, in one INSERT, each its
    own words (a brief prints one note per distinct quote)."""
    Citation.objects.bulk_create(
        Citation(source=source, transfer=transfer, quote=f"Quote {n}, quoted below.")
        for n in range(number)
    )


@pytest.fixture
def heavily_cited(db):
    """A source quoted HEAVY times, all for one transfer."""
    source = make_source(slug="agency-spreadsheet", title="An agency's spreadsheet (fictional)")
    transfer = make_transfer(slug="much-quoted")
    quote_many(source, transfer, HEAVY)
    return source, transfer


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, content[:500]
    return len(captured.captured_queries), content


def notes_on_page(html):
    return len(re.findall(r'<li id="citation-\d+"', html))


def test_a_record_page_shows_at_most_the_limit_of_its_quotes_and_links_to_them_all(
    client, heavily_cited
):
    source, transfer = heavily_cited
    html = client.get(transfer.get_absolute_url()).content.decode()
    assert notes_on_page(html) == LIMIT
    assert f"And {HEAVY - LIMIT:,} more" in html
    assert f'href="/citations/?record=transfer%3A{transfer.slug}"' in html


def test_a_source_page_shows_at_most_the_limit_of_its_quotes_and_links_to_its_table(
    client, heavily_cited
):
    source, transfer = heavily_cited
    html = client.get(source.get_absolute_url()).content.decode()
    assert html.count('class="cited"') + html.count('class="cited-also"') <= LIMIT
    assert f"And {HEAVY - LIMIT:,} more" in html
    assert f'href="/citations/?source={source.slug}"' in html


def test_a_related_list_past_the_limit_says_how_many_more_and_links_to_the_filtered_table(
    client, db
):
    facility = make_facility(slug="busy-prison")
    for _ in range(LIMIT + 3):
        make_transfer(destination=facility)
    html = client.get(facility.get_absolute_url()).content.decode()
    section = html.split('id="transfers-heading"')[1].split("</section>")[0]
    assert section.count("<li>") == LIMIT
    assert "And 3 more" in section
    assert 'href="/transfers/?destination=busy-prison"' in section
    # The table it links to lists every one of them.
    table = client.get("/transfers/?destination=busy-prison")
    assert table.context["table"].paginator.count == LIMIT + 3


def test_a_related_list_within_the_limit_is_shown_whole_without_a_more_line(client, db):
    facility = make_facility()
    for _ in range(LIMIT):
        make_transfer(destination=facility)
    html = client.get(facility.get_absolute_url()).content.decode()
    assert "more-entries" not in html


@pytest.mark.django_db(transaction=True)
def test_a_record_page_runs_the_same_queries_at_5000_quotes_as_at_a_few(client):
    source = make_source()
    few, many = make_transfer(), make_transfer()
    quote_many(source, few, LIMIT + 2)
    quote_many(source, many, HEAVY)
    few_queries, _ = count_queries(client, few.get_absolute_url() + "?x=1")
    many_queries, html = count_queries(client, many.get_absolute_url() + "?x=1")
    assert many_queries == few_queries
    assert notes_on_page(html.decode()) == LIMIT
    few_queries, _ = count_queries(client, source.get_absolute_url() + "?x=1")
    assert few_queries <= 14


@pytest.mark.django_db(transaction=True)
def test_a_record_brief_of_a_record_quoted_5000_times_prints_at_most_the_limit(brief_client):
    from pypdf import PdfReader

    source = make_source()
    few, many = make_transfer(), make_transfer()
    quote_many(source, few, LIMIT + 2)
    quote_many(source, many, HEAVY)
    few_queries, _ = count_queries(brief_client, few.get_absolute_url() + "brief.pdf")
    many_queries, pdf = count_queries(brief_client, many.get_absolute_url() + "brief.pdf")
    assert many_queries == few_queries
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert text.count("quoted below.") == LIMIT
    assert f"And {HEAVY - LIMIT:,} more" in text
    source_queries, pdf = count_queries(brief_client, source.get_absolute_url() + "brief.pdf")
    assert source_queries <= few_queries + 6
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert text.count("quoted below.") == LIMIT


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("export", ["json", "csv", "citations.csv"])
def test_an_export_row_carries_at_most_the_limit_of_quotes_and_the_whole_count(client, export):
    source = make_source(slug="the-spreadsheet")
    few, many = make_transfer(slug="few-quotes"), make_transfer(slug="many-quotes")
    quote_many(source, few, LIMIT + 2)
    small_queries, _ = count_queries(client, f"/sources/?_export={export}")
    quote_many(source, many, HEAVY)
    queries, content = count_queries(client, f"/sources/?_export={export}")
    assert queries == small_queries
    text = content.decode()
    if export == "json":
        (row,) = json.loads(text)
        assert len(row["citations"]) == LIMIT
        assert row["citations_total"] == LIMIT + 2 + HEAVY
        assert row["citations_url"].endswith("/citations/?source=the-spreadsheet")
    elif export == "csv":
        (row,) = csv.DictReader(io.StringIO(text))
        assert row["citation_count"] == str(LIMIT + 2 + HEAVY)
    else:
        lines = list(csv.reader(io.StringIO(text)))[1:]
        assert len(lines) == LIMIT + 1
        assert lines[-1][0].startswith(f"# the-spreadsheet has {LIMIT + 2 + HEAVY - LIMIT:,} more")
        assert "/citations/?source=the-spreadsheet" in lines[-1][0]


def test_the_quotes_of_a_source_are_a_paged_table(client, heavily_cited):
    source, transfer = heavily_cited
    response = client.get("/citations/", {"source": source.slug, "page": 3})
    assert response.status_code == 200
    html = response.content.decode()
    assert "5,000 quotes, 51–75 shown" in html
    table = response.context["table"]
    assert len(table.page.object_list) == 25
    assert f'href="{transfer.get_absolute_url()}"' in html


def test_the_quotes_table_filters_by_record_and_says_what_it_could_not_use(client, db):
    source = make_source()
    one, other = make_transfer(slug="one"), make_transfer(slug="other")
    quote_many(source, one, 3)
    quote_many(source, other, 2)
    response = client.get("/citations/", {"record": "transfer:other"})
    assert response.context["table"].paginator.count == 2
    # A record nobody may see, or a name that is none: no quotes, not a 500.
    for value in ("transfer:no-such", "nonsense", "transfer:../../x", "\x00"):
        response = client.get("/citations/", {"record": value})
        assert response.status_code == 200
        assert response.context["table"].paginator.count == 0


def test_the_quotes_of_a_draft_source_or_a_draft_record_are_not_listed(client, db):
    draft_source = make_source(publication_status="draft")
    public_source = make_source()
    draft_transfer = make_transfer(publication_status="draft")
    quote_many(draft_source, make_transfer(), 2)
    quote_many(public_source, draft_transfer, 2)
    assert client.get("/citations/").context["table"].paginator.count == 0
    response = client.get("/citations/", {"source": draft_source.slug})
    assert response.context["table"].paginator.count == 0


@pytest.mark.parametrize("export", ["csv", "json"])
def test_the_quotes_table_exports_every_matching_quote(client, heavily_cited, export):
    source, transfer = heavily_cited
    response = client.get("/citations/", {"source": source.slug, "_export": export})
    text = b"".join(response.streaming_content).decode()
    if export == "json":
        rows = json.loads(text)
        assert len(rows) == HEAVY
        assert rows[0]["record_slug"] == transfer.slug
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == HEAVY
        assert rows[0]["record_slug"] == transfer.slug


def test_an_event_page_lists_at_most_the_limit_of_statements_made_at_it(client, db):
    from tests.factories import make_statement

    event = make_event()
    for _ in range(LIMIT + 1):
        make_statement(event=event)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "And 1 more (" in html
