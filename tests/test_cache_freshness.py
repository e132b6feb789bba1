"""The one cache key (cases/response_cache.py): no page is ever served stale,
whatever kind of edit was made, while an edit to one kind leaves the table
pages that do not show it in the cache; and a junk parameter neither bypasses
the cache nor reaches the page. Run against Redis too (CACHE_URL, see .ci/run).

Staleness is checked by comparison rather than by looking for one value: after
each edit, every reader's page (home, search, timeline, log, feeds, every
table, every record's page) as the cache answers it must be byte for byte the
page rendered afresh with the cache off."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import response_cache
from cases.kinds import KINDS
from cases.models import (
    Actor,
    Citation,
    ClaimStatus,
    Event,
    PublicationStatus,
    ReportedFigure,
    Source,
    Statement,
    Transfer,
)

pytestmark = pytest.mark.django_db

FEED_UPDATED = re.compile(rb"<updated>[^<]*</updated>")


def reader_pages():
    """Every page an anonymous reader can reach, one URL each."""
    urls = [
        reverse("cases:home"),
        reverse("cases:search") + "?q=El+Salvador",
        reverse("cases:timeline"),
        reverse("cases:corrections"),
        reverse("cases:records_feed"),
        reverse("cases:corrections_feed"),
    ]
    for kind in KINDS:
        urls.append(reverse(f"cases:{kind.name}_list"))
        urls += [record.get_absolute_url() for record in kind.model.objects.published()]
    return urls


def comparable(content):
    """A page as compared: a feed with no entries says it was updated now
    (Django's Atom feed), which two renderings never agree on."""
    return FEED_UPDATED.sub(b"", content, count=1)


def served(client, url):
    """The page and how many queries answered it (1: from the cache)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return comparable(response.content), len(captured.captured_queries)


def rendered_afresh(client, url, settings):
    settings.PAGE_CACHE_SECONDS = 0
    try:
        return comparable(client.get(url).content)
    finally:
        settings.PAGE_CACHE_SECONDS = 600


def _event():
    return Event.objects.published().filter(participants__isnull=False).first()


def edit_a_field():
    event = _event()
    event.title = "A title changed by a fictional correction"
    event.save()


def edit_a_relation():
    event = _event()
    event.participants.remove(event.participants.first())


def edit_a_citation():
    citation = Citation.objects.filter(actor__isnull=False).first()
    Citation.objects.filter(pk=citation.pk).update(paragraph=citation.paragraph + 40)


def withdraw_a_record():
    actor = Actor.objects.published().filter(statements__isnull=False).first()
    Actor.objects.filter(pk=actor.pk).update(publication_status=PublicationStatus.DRAFT)


def add_a_figure():
    transfer = Transfer.objects.published().first()
    citation = Citation.objects.filter(transfer=transfer).first()
    ReportedFigure.objects.create(
        transfer=transfer, field="count", stated="999 (fictional)", number=999, citation=citation
    )


def retitle_a_source():
    Source.objects.update(title="A source title changed by a fictional correction")


def restate_a_claim():
    Statement.objects.filter(pk=Statement.objects.published().first().pk).update(
        claim_status=ClaimStatus.DISPUTED
    )


@pytest.mark.parametrize(
    "edit",
    [
        edit_a_field,
        edit_a_relation,
        edit_a_citation,
        withdraw_a_record,
        add_a_figure,
        retitle_a_source,
        restate_a_claim,
    ],
)
def test_no_page_is_stale_after_an_edit(client, seed, settings, edit):
    urls = reader_pages()
    for url in urls:
        client.get(url)  # every page cached as it was
    edit()
    stale = [
        url
        for url in reader_pages()
        if served(client, url)[0] != rendered_afresh(client, url, settings)
    ]
    assert stale == []


def test_an_edit_to_events_leaves_the_transfers_tables_cached(client, seed):
    transfers, events = reverse("cases:transfer_list"), reverse("cases:event_list")
    for url in (transfers, events):
        served(client, url)
    edit_a_field()
    assert served(client, transfers)[1] == 1  # still in the cache
    assert served(client, events)[1] > 1  # computed again
    assert b"A title changed by a fictional correction" in served(client, events)[0]


def test_what_a_kind_reads_follows_its_relations():
    transfer = next(kind for kind in KINDS if kind.model is Transfer)
    event = next(kind for kind in KINDS if kind.model is Event)
    tables = response_cache.tables_read_by(transfer, shows_one_record=False)
    assert Transfer._meta.db_table in tables
    assert Transfer.history.model._meta.db_table in tables
    assert Transfer.groups.through._meta.db_table in tables
    assert Citation._meta.db_table in tables  # every record shows its citations
    assert Event._meta.db_table not in tables  # a transfer's row names no event
    # An event's page lists the statements made at it; its table does not.
    assert Statement._meta.db_table in response_cache.tables_read_by(event, shows_one_record=True)
    assert Statement._meta.db_table not in response_cache.tables_read_by(
        event, shows_one_record=False
    )


# --- Junk parameters --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/transfers/",
        "/transfers/?sort=-date",
        "/",
        "/timeline/",
        "/feeds/records.atom",
        "/feeds/corrections.atom",
    ],
)
def test_a_junk_parameter_is_answered_from_the_cache(client, seed, url):
    joiner = "&" if "?" in url else "?"
    first, _ = served(client, url)
    junk, queries = served(client, f"{url}{joiner}utm_source=newsletter&x=%3Cb%3E")
    assert queries == 1
    assert junk == first
    again, queries = served(client, f"{url}{joiner}fbclid=abc")
    assert queries == 1


def test_a_junk_parameter_never_reaches_the_page(client, seed):
    content, _ = served(client, "/transfers/?utm_source=newsletter-junk&sort=-date")
    assert b"newsletter-junk" not in content
    assert b"sort=-date" in content or b"sort=date" in content  # the sort is carried on


def test_parameters_a_view_reads_make_different_pages(client, seed):
    plain, _ = served(client, "/transfers/")
    sorted_, queries = served(client, "/transfers/?sort=-date")
    assert queries > 1  # not the plain page from the cache
    assert served(client, "/transfers/?per_page=10")[1] > 1
    assert served(client, "/search/?q=CECOT")[1] > 1
    assert served(client, "/search/?q=Bukele")[1] > 1
