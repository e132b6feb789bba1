"""Issue 24, point 4: a brief of unchanged data is served from the cache,
under the one cache key (cases/response_cache.py).

Asserted on the cache, not on time: how many times WeasyPrint was asked to
lay a brief out, and what the cache holds under the brief's key."""

from unittest import mock
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from weasyprint import HTML

from cases import brief_cache
from cases.models import Agreement
from tests.test_pdf import pdf_text, read_pdf

pytestmark = pytest.mark.django_db

BRIEFS = [
    "/agreements/safe-third-country/brief.pdf",
    "/transfers/brief.pdf?claim_status=reported",
    "/dossier.pdf",
]


@pytest.fixture
def renders():
    """Counts the briefs WeasyPrint lays out."""
    with mock.patch("cases.pdf.HTML", wraps=HTML) as html:
        yield html


def cached_entry(url, user):
    """What the cache holds under the key of `url` asked by `user`."""
    request = RequestFactory().get(url)
    request.user = user
    request.resolver_match = resolve(request.path)
    return cache.get(brief_cache.brief_key(request).key)


@pytest.mark.parametrize("url", [*BRIEFS, "/dossier.pdf?as_of={now}"])
def test_a_second_identical_request_is_served_from_the_cache(brief_client, seed, renders, url):
    url = url.replace("{now}", quote(timezone.now().isoformat(timespec="seconds")))
    first = brief_client.get(url)
    second = brief_client.get(url)

    read_pdf(first)
    assert renders.call_count == 1
    assert second.content == first.content
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second["Content-Type"] == "application/pdf"


def test_the_brief_is_kept_under_its_key(brief_client, seed):
    url = BRIEFS[0]
    response = brief_client.get(url)
    user = response.wsgi_request.user

    content, headers = cached_entry(url, user)
    assert content == response.content
    assert headers["Content-Type"] == "application/pdf"


def test_an_edit_to_what_the_brief_reads_makes_it_again(brief_client, seed, renders):
    url = BRIEFS[0]
    brief_client.get(url)
    agreement = Agreement.objects.get(slug="safe-third-country")
    agreement.summary = "A fictional corrected summary, for the test."
    agreement.save()

    text = pdf_text(brief_client.get(url))

    assert renders.call_count == 2
    assert "A fictional corrected summary, for the test." in text


def test_language_paper_and_visibility_each_get_their_own_brief(
    brief_client, staff_client, seed, renders
):
    url = BRIEFS[0]
    for asked in (url, f"{url}?lang=es", f"{url}?paper=letter"):
        brief_client.get(asked)
        brief_client.get(asked)
    # An editor sees drafts: never the public brief, nor the public one theirs.
    staff_client.get(url)
    staff_client.get(url)

    assert renders.call_count == 4


def test_a_parameter_the_brief_does_not_read_does_not_make_it_again(brief_client, seed, renders):
    brief_client.get(BRIEFS[0])
    brief_client.get(f"{BRIEFS[0]}?utm_source=newsletter")

    assert renders.call_count == 1


def test_a_refusal_is_never_kept(brief_client, seed, renders):
    first = brief_client.get(f"{BRIEFS[0]}?paper=tabloid")
    second = brief_client.get(f"{BRIEFS[0]}?paper=tabloid")

    assert first.status_code == second.status_code == 400
    assert renders.call_count == 0


def test_nothing_is_kept_when_brief_caching_is_off(brief_client, seed, renders, settings):
    settings.BRIEF_CACHE_MAX_BYTES = 0
    brief_client.get(BRIEFS[0])
    brief_client.get(BRIEFS[0])

    assert renders.call_count == 2


def test_a_reader_without_the_permission_never_gets_a_kept_brief(brief_client, client, seed):
    brief_client.get(BRIEFS[0])

    assert client.get(BRIEFS[0])["Content-Type"] != "application/pdf"
