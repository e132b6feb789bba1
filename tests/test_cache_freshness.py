"""The one cache key (cases/response_cache.py): no page is ever served stale,
whatever kind of edit was made, while an edit to one kind leaves the table
pages that do not show it in the cache; and a junk parameter neither bypasses
the cache nor reaches the page. Run against Redis too (CACHE_URL, see .ci/run).

Staleness is checked by comparison rather than by looking for one value: after
each edit, every reader's page (home, search, timeline, log, feeds, every
table, every record's page) as the cache answers it must be byte for byte the
page rendered afresh with the cache off."""

import re
from unittest.mock import patch

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import response_cache
from cases.data_version import LINK_SUFFIX, link_version_table
from cases.kinds import KINDS, KINDS_BY_MODEL
from cases.models import (
    Actor,
    Citation,
    ClaimStatus,
    Event,
    Facility,
    PublicationStatus,
    ReportedFigure,
    Source,
    Statement,
    TableVersion,
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


def body(response):
    """A response's bytes, streamed (an export) or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def served(client, url):
    """The page and how many queries answered it (1: from the cache)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        content = body(response)
    assert response.status_code == 200, url
    return comparable(content), len(captured.captured_queries)


def served_with_cache_reads(client, url):
    """The page, and whether anything in it came from the cache (the whole
    page, or a part such as a table's facet counts): a page that read
    nothing from the cache was computed from the database, and cannot be
    stale."""
    backend = type(caches["default"])
    found = []

    def recorded(method, hit):
        def read(self, *args, **kwargs):
            value = method(self, *args, **kwargs)
            found.append(hit(value))
            return value

        return read

    # A value kept in the cache may be empty (a facet with no options): a
    # hit is anything but get()'s None, any key get_many() found.
    with (
        patch.object(backend, "get", recorded(backend.get, lambda value: value is not None)),
        patch.object(backend, "get_many", recorded(backend.get_many, bool)),
    ):
        content = served(client, url)[0]
    return content, any(found)


def is_stale(client, url, settings):
    content, read_from_cache = served_with_cache_reads(client, url)
    return read_from_cache and content != rendered_afresh(client, url, settings)


def rendered_afresh(client, url, settings):
    settings.PAGE_CACHE_SECONDS = 0
    try:
        return comparable(body(client.get(url)))
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
    stale = [url for url in reader_pages() if is_stale(client, url, settings)]
    assert stale == []


def correct_what_only_its_page_shows(record):
    """A fictional correction of every field of `record` its kind's
    link_columns leave out: its prose, its reasons, its internal note."""
    kind = KINDS_BY_MODEL[type(record)]
    for field in record._meta.concrete_fields:
        if field.column in kind.link_columns or field.name in ("created_at", "updated_at"):
            continue
        if field.get_internal_type() == "JSONField":
            reason = "A fictional correction of the reason"
            setattr(record, field.name, {kind.supported_fields[0]: reason})
        else:
            setattr(record, field.name, f"A fictional correction of {field.name}")
    record.save()


def records_linked_to(record):
    """The published records of other kinds that name `record`, or that it names."""
    linked = []
    for field in record._meta.get_fields():
        if not field.is_relation or field.related_model not in KINDS_BY_MODEL:
            continue
        if field.related_model is type(record):
            continue
        value = getattr(record, field.get_accessor_name() if field.auto_created else field.name)
        if value is None:
            continue
        if hasattr(value, "all"):
            linked += list(value.all().published())
        elif value.publication_status == PublicationStatus.PUBLISHED:
            linked.append(value)
    return linked


def other_kinds_surfaces(record):
    """What may show `record` though it is of another kind: every other
    kind's table, exports and API list, the pages and API responses of the
    records linked to it, and the timeline when it is not on it."""
    urls = [] if KINDS_BY_MODEL[type(record)].on_timeline else [reverse("cases:timeline")]
    for kind in KINDS:
        if kind.model is type(record):
            continue
        table = reverse(f"cases:{kind.name}_list")
        urls += [table, f"{table}?_export=csv", f"{table}?_export=json"]
        urls.append(f"/api/v1/{kind.url_prefix}/")
    for linked in records_linked_to(record):
        prefix = KINDS_BY_MODEL[type(linked)].url_prefix
        urls += [linked.get_absolute_url(), f"/api/v1/{prefix}/{linked.slug}/"]
    return urls


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_what_only_a_record_page_shows_is_never_stale_elsewhere(client, seed, settings, kind):
    """The link versions' promise (cases/data_version.py): an edit that
    changes none of Kind.link_columns leaves every other kind's page,
    export and API response cached, and none of them shows what it changed."""
    record = max(kind.model.objects.published(), key=lambda record: len(records_linked_to(record)))
    urls = other_kinds_surfaces(record)
    for url in urls:
        served(client, url)  # every response cached as it was
    correct_what_only_its_page_shows(record)
    stale = [url for url in urls if is_stale(client, url, settings)]
    assert stale == []
    assert b"A fictional correction" in served(client, record.get_absolute_url())[0]


def test_a_facility_description_corrected_leaves_transfers_and_timeline_cached(client, seed):
    transfers, timeline = reverse("cases:transfer_list"), reverse("cases:timeline")
    facility = Facility.objects.published().filter(transfers__isnull=False).first()
    served(client, transfers)
    served(client, timeline)
    facility.description = "A description changed by a fictional correction"
    facility.save()
    assert served(client, transfers)[1] == 1  # still in the cache
    assert served(client, timeline)[1] == 1
    assert (
        b"A description changed by a fictional correction"
        in served(client, facility.get_absolute_url())[0]
    )
    facility.name = "A name changed by a fictional correction"
    facility.save()
    page, queries = served(client, transfers)
    assert queries > 1  # the name is in its rows: computed again
    assert b"A name changed by a fictional correction" in page


def test_without_link_versions_a_page_keys_on_the_whole_table(client, seed):
    """Code deployed before `migrate` installed the link versions' triggers:
    a rename must still reach the other kinds' pages."""
    TableVersion.objects.filter(table_name__endswith=LINK_SUFFIX).delete()
    transfers = reverse("cases:transfer_list")
    facility = Facility.objects.published().filter(transfers__isnull=False).first()
    served(client, transfers)
    Facility.objects.filter(pk=facility.pk).update(name="A name changed by a fictional correction")
    TableVersion.objects.filter(table_name__endswith=LINK_SUFFIX).delete()
    assert b"A name changed by a fictional correction" in served(client, transfers)[0]


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
    # A transfer's row names its destination: what the facility's link
    # shows, not its description nor its history (cases/data_version.py).
    assert link_version_table(Facility._meta.db_table) in tables
    assert Facility._meta.db_table not in tables
    assert Facility.history.model._meta.db_table not in tables
    # An event's page lists the statements made at it; its table does not.
    statement_links = link_version_table(Statement._meta.db_table)
    assert statement_links in response_cache.tables_read_by(event, shows_one_record=True)
    assert statement_links not in response_cache.tables_read_by(event, shows_one_record=False)


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


# --- A logged-in reader's home page: cached fragments ------------------------------


def test_a_logged_in_home_page_reads_its_sections_from_the_cache(staff_client, seed):
    staff_client.get("/")
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get("/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]  # the page itself is never shared
    # The session, the user, their permissions and the versions: no record is read.
    assert len(captured.captured_queries) < 10
    assert not [q for q in captured.captured_queries if "cases_event" in q["sql"]]


def test_a_logged_in_home_page_shows_an_edit_at_once(staff_client, seed):
    client = Client()  # anonymous (staff_client is the `client` fixture, logged in)
    event = Event.objects.published().order_by("-date").first()
    staff_client.get("/")
    client.get("/")
    Event.objects.filter(pk=event.pk).update(title="A title changed by a fictional correction")
    assert "A title changed by a fictional correction" in staff_client.get("/").content.decode()
    assert "A title changed by a fictional correction" in client.get("/").content.decode()


def test_drafts_on_a_logged_in_home_page_never_reach_an_anonymous_one(staff_client, seed):
    client = Client()
    event = Event.objects.published().order_by("-date").first()
    Event.objects.filter(pk=event.pk).update(
        title="A fictional draft title", publication_status=PublicationStatus.DRAFT
    )
    assert "A fictional draft title" in staff_client.get("/").content.decode()
    assert "A fictional draft title" not in client.get("/").content.decode()


# --- Exports ----------------------------------------------------------------------


def streamed(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content), len(captured.captured_queries)


@pytest.mark.parametrize("export", ["csv", "json", "citations.csv"])
def test_an_export_of_unchanged_data_comes_from_the_cache(client, seed, export):
    url = f"/transfers/?_export={export}&sort=-date"
    first, first_queries = streamed(client, url)
    second, queries = streamed(client, url)
    assert second == first
    assert queries == 1 < first_queries  # the versions, nothing else


def test_an_edit_reaches_the_next_export_and_another_kinds_edit_does_not_recompute_it(client, seed):
    url = "/transfers/?_export=csv"
    streamed(client, url)
    edit_a_field()  # an event
    assert streamed(client, url)[1] == 1
    transfer = Transfer.objects.published().first()
    Transfer.objects.filter(pk=transfer.pk).update(title="A transfer retitled, fictionally")
    content, queries = streamed(client, url)
    assert queries > 1
    assert b"A transfer retitled, fictionally" in content


def test_an_export_cut_by_its_time_limit_is_never_cached(client, seed, settings):
    settings.EXPORT_TIME_LIMIT_S = 0
    url = "/transfers/?_export=csv"
    cut, _ = streamed(client, url)
    assert b"Export incomplete" in cut
    settings.EXPORT_TIME_LIMIT_S = 60
    whole, queries = streamed(client, url)
    assert queries > 1
    assert b"Export incomplete" not in whole


def test_a_junk_parameter_on_a_table_of_quotes_is_answered_from_the_cache(client, seed):
    url = f"/citations/?source={Source.objects.published().first().slug}"
    first, _ = served(client, url)
    junk, queries = served(client, f"{url}&utm_campaign=x")
    assert (junk, queries) == (first, 1)
