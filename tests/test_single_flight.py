"""One computation per cache key (cases/single_flight.py): a reader asking for
a page or an export that another request is computing waits for its result
and serves it, rather than computing it a second time; and stops waiting
when that request gives up."""

import threading
import time
import zlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from cases import response_cache, single_flight
from cases.kinds import KINDS_BY_MODEL
from cases.models import Transfer

pytestmark = pytest.mark.django_db


def key_of(url, purpose="page", **options):
    request = RequestFactory().get(url)
    request.resolver_match = resolve(request.path)
    request.user = AnonymousUser()
    return response_cache.response_key(request, purpose=purpose, **options).key


def stored_later(key, value, seconds=0.2):
    """Another request finishing its computation `seconds` from now."""

    def finish():
        time.sleep(seconds)
        cache.set(key, value)
        single_flight.release(key)

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


def test_a_claimed_key_is_not_claimed_again_until_released():
    assert single_flight.claim("some-key")
    assert not single_flight.claim("some-key")
    single_flight.release("some-key")
    assert single_flight.claim("some-key")


def test_a_waiter_gets_the_claimants_value():
    assert single_flight.claim("some-key")
    thread = stored_later("some-key", "computed once")
    assert single_flight.wait_for("some-key") == "computed once"
    thread.join()


def test_a_waiter_stops_when_the_claimant_gives_up_without_a_value():
    assert single_flight.claim("some-key")
    threading.Timer(0.1, single_flight.release, ["some-key"]).start()
    started = time.monotonic()
    assert single_flight.wait_for("some-key", wait_seconds=5) is None
    assert time.monotonic() - started < 2


def test_a_page_being_computed_is_waited_for_not_computed_again(client, seed):
    url = reverse("cases:transfer_list")
    key = key_of(url)
    assert single_flight.claim(key)  # another reader is computing it
    page = (zlib.compress(b"<p>The page the other reader computed</p>"), {})
    thread = stored_later(key, page)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    thread.join()
    assert response.content == b"<p>The page the other reader computed</p>"
    assert len(queries) == 1  # the versions: nothing computed


def test_a_page_whose_computation_failed_is_computed_by_the_waiter(client, seed):
    url = reverse("cases:transfer_list")
    key = key_of(url)
    assert single_flight.claim(key)
    threading.Timer(0.1, single_flight.release, [key]).start()  # gave up: nothing stored
    response = client.get(url)
    assert response.status_code == 200
    assert b"Transfers" in response.content
    assert single_flight.claim(key)  # nobody holds it any more


def test_an_export_being_computed_is_waited_for(client, seed):
    url = reverse("cases:transfer_list") + "?_export=csv"
    key = key_of(url, purpose="export")
    assert single_flight.claim(key)
    export = (zlib.compress(b"slug,title\r\nthe-other-readers-export,\r\n"), {})
    thread = stored_later(key, export)
    response = client.get(url)
    content = b"".join(response.streaming_content)
    thread.join()
    assert content == b"slug,title\r\nthe-other-readers-export,\r\n"


def test_an_export_releases_its_claim_when_kept(client, seed):
    url = reverse("cases:transfer_list") + "?_export=csv"
    b"".join(client.get(url).streaming_content)
    key = key_of(url, purpose="export")
    assert cache.get(key) is not None
    assert single_flight.claim(key)  # nobody holds it any more


def test_an_api_response_being_built_is_waited_for(client, seed):
    url = "/api/v1/transfers/"
    transfers = response_cache.tables_read_by(KINDS_BY_MODEL[Transfer], shows_one_record=False)
    key = key_of(url, purpose="api", tables=transfers, visibility="public")
    assert single_flight.claim(key)
    thread = stored_later(key, zlib.compress(b'{"built": "by the other reader"}'))
    response = client.get(url)
    thread.join()
    assert response.content == b'{"built": "by the other reader"}'


def test_an_export_closed_before_it_streamed_releases_its_claim(client, seed):
    """A reader who hangs up before the first chunk: the server closes the
    response, and the readers waiting for the export stop waiting."""
    url = reverse("cases:transfer_list") + "?_export=json"
    response = client.get(url)  # not read
    key = key_of(url, purpose="export")
    assert not single_flight.claim(key)  # held by the unread export
    # As the test client closes a response: without closing the test's
    # database connection, which request_finished would.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert single_flight.claim(key)


def test_an_export_too_large_to_keep_releases_its_claim_as_soon_as_it_is(client, seed, settings):
    """Readers asking for the same unfiltered export do not wait for one
    that will never be kept."""
    settings.EXPORT_CACHE_MAX_BYTES = 10
    url = reverse("cases:transfer_list") + "?_export=csv"
    key = key_of(url, purpose="export")
    chunks = iter(client.get(url).streaming_content)
    next(chunks)  # past the limit at once
    assert single_flight.claim(key)
