"""A second source, added the way a newsroom adds one (issue 13, point 4).

The source here is FICTIONAL, written for these tests only: "The Harbour
Ledger" does not exist and never reported any of this. It never goes into
fixtures/seed.json."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Citation, Source, Transfer
from tests.test_admin import change_form_data
from tests.test_admin_corrections import admin_client  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

FICTIONAL_TITLE = "Fictional test source: 238 deported, says a made-up ledger"
# Pasted as a web page gives it: curly quotes, a non-breaking space, an odd
# dash, spaces at line ends and extra blank lines.
PASTED_TEXT = (
    "The Harbour Ledger (fictional) reported on Sunday that \u201c238 people\u201d were "
    "flown to the prison.\u00a0 \n\n\n"
    "An official \u2015 unnamed \u2015 called the count \u2018provisional\u2019.  \n"
    "Nothing in this text is true; it exists only for tests.\n"
)
NORMALIZED_TEXT = (
    'The Harbour Ledger (fictional) reported on Sunday that "238 people" were '
    "flown to the prison.\n\n"
    "An official \u2014 unnamed \u2014 called the count 'provisional'.\n"
    "Nothing in this text is true; it exists only for tests."
)


def add_fictional_source(client):
    response = client.post(
        reverse("admin:cases_source_add"),
        {
            "title": FICTIONAL_TITLE,
            "slug": "fictional-harbour-ledger",
            "kind": "news_article",
            "publisher": "The Harbour Ledger (fictional)",
            "url": "https://example.org/fictional/238",
            "published_on": "2025-04-20",
            "accessed_on": "2025-04-21",
            "language": "en",
            "text": PASTED_TEXT,
            "publication_status": "published",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Source.objects.get(slug="fictional-harbour-ledger")


def test_an_admin_adds_a_source_whose_text_is_normalized_once(admin_client, seed):  # noqa: F811
    source = add_fictional_source(admin_client)
    assert source.text == NORMALIZED_TEXT
    assert (source.published_on, source.accessed_on, source.language) == (
        datetime.date(2025, 4, 20),
        datetime.date(2025, 4, 21),
        "en",
    )
    assert (
        source.paragraphs[1] == "An official \u2014 unnamed \u2014 called the count 'provisional'."
    )


def test_the_source_page_in_admin_offers_each_paragraph_to_cite(admin_client, seed):  # noqa: F811
    source = add_fictional_source(admin_client)
    page = admin_client.get(reverse("admin:cases_source_change", args=[source.pk]))
    html = page.content.decode()
    add_url = reverse("admin:cases_citation_add")
    assert f'href="{add_url}?source={source.pk}&amp;paragraph=2"' in html
    assert "Cite this paragraph" in html


def test_a_citation_picks_a_paragraph_and_its_quote_is_checked_word_for_word(
    admin_client,  # noqa: F811
    seed,
):
    source = add_fictional_source(admin_client)
    transfer = Transfer.objects.get(slug="deportation-of-hundreds")
    add_url = reverse("admin:cases_citation_add")

    form_page = admin_client.get(add_url, {"source": source.pk, "paragraph": 1})
    html = form_page.content.decode()
    assert '<option value="2">2. An official' in html
    assert "Copy the words from paragraph 1" in html

    wrong = admin_client.post(
        add_url,
        {
            "source": source.pk,
            "paragraph": 1,
            "quote": "239 people were flown",
            "transfer": transfer.pk,
        },
    )
    assert wrong.status_code == 200
    assert "not found word for word" in wrong.content.decode()

    # Pasted from the publisher's page, with curly quotation marks.
    right = admin_client.post(
        add_url,
        {
            "source": source.pk,
            "paragraph": 1,
            "quote": "\u201c238 people\u201d were flown to the prison",
            "transfer": transfer.pk,
        },
    )
    assert right.status_code == 302, right.context["adminform"].form.errors
    citation = Citation.objects.get(source=source)
    assert (citation.quote, citation.paragraph) == ('"238 people" were flown to the prison', 1)
    # The record's page now cites both sources.
    page = admin_client.get(transfer.get_absolute_url()).content.decode()
    assert FICTIONAL_TITLE in page


def test_a_text_change_that_would_orphan_a_quote_is_refused_naming_it(admin_client, seed):  # noqa: F811
    source = add_fictional_source(admin_client)
    transfer = Transfer.objects.get(slug="deportation-of-hundreds")
    Citation.objects.create(source=source, quote='"238 people" were flown', transfer=transfer)
    url = reverse("admin:cases_source_change", args=[source.pk])

    data = change_form_data(admin_client.get(url))
    data.update(
        text=NORMALIZED_TEXT.replace("238", "240"),
        change_reason="Publisher updated the count",
        change_kind="update",
    )
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "would leave 1 quote citing words the source no longer holds" in (
        refused.content.decode()
    )
    assert "“&quot;238 people&quot; were flown”" in refused.content.decode()
    source.refresh_from_db()
    assert source.text == NORMALIZED_TEXT

    data = change_form_data(admin_client.get(url))
    data.update(
        text=NORMALIZED_TEXT + "\nA fictional correction was appended.",
        change_reason="Publisher appended a note",
        change_kind="update",
    )
    assert admin_client.post(url, data).status_code == 302


def test_a_source_title_with_markup_is_text_in_the_citation_form(admin_client, seed):  # noqa: F811
    # Admin renders help text as HTML: one admin could inject markup into
    # another's page through a source's title.
    source = add_fictional_source(admin_client)
    Source.objects.filter(pk=source.pk).update(title='Fictional <img src=x id="injected">')

    page = admin_client.get(
        reverse("admin:cases_citation_add"), {"source": source.pk, "paragraph": 1}
    ).content.decode()

    assert 'id="injected"' not in page
    assert "Fictional &lt;img" in page
