"""The read API at /api/v1/, through HTTP: its OpenAPI document, paging,
visibility (anonymous, logged in, tokens issued in admin), bad parameters,
as_of, cache headers, and rows the same as the JSON export's."""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate

from cases import roles
from cases.kinds import KINDS
from cases.models import ApiToken, Statement
from tests.factories import (
    make_actor,
    make_citation,
    make_statement,
    make_transfer,
)
from tests.test_corrections import correct

pytestmark = pytest.mark.django_db


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response


def follow_all(client, url, **headers):
    """Every row of a list, following next_url; and how many pages it took."""
    rows, pages = [], 0
    while url:
        response = get(client, url, **headers)
        assert response.status_code == 200, response.json()
        body = response.json()
        rows += body["rows"]
        pages += 1
        url = body["next_url"]
        if url:
            parts = urlsplit(url)
            url = f"{parts.path}?{parts.query}"
    return rows, pages


def issue_token(role="journalist", name="Data desk"):
    token = ApiToken(name=name, role=role)
    secret = token.issue()
    token.save()
    return secret


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- The document ---


def no_key_twice(pairs):
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), f"a key given twice: {keys}"
    return dict(pairs)


def test_the_openapi_document_validates_and_lists_every_kind(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    # Swagger UI reads it as YAML, which refuses a key given twice.
    document = json.loads(response.content, object_pairs_hook=no_key_twice)
    validate(document)
    assert document["openapi"].startswith("3.")
    for kind in KINDS:
        assert f"/api/v1/{kind.url_prefix}/" in document["paths"]
        assert f"/api/v1/{kind.url_prefix}/{{slug}}/" in document["paths"]
    assert "/api/v1/corrections/" in document["paths"]
    # The table's filters are documented by the names the list takes.
    names = [p["name"] for p in document["paths"]["/api/v1/statements/"]["get"]["parameters"]]
    assert {"speaker", "claim_status", "q", "_size", "_next", "as_of"} <= set(names)


def test_the_docs_page_loads_its_assets_from_this_site(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert all(asset.startswith("/static/") for asset in assets), assets
    # No inline script the CSP would block: the settings travel as JSON data.
    assert "<script>" not in html
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


# --- Paging and visibility ----------------------------------------------------------


def test_following_next_url_visits_every_published_statement_once_and_no_draft(client, seed):
    draft = make_statement(text="A draft nobody may read yet.", publication_status="draft")
    rows, pages = follow_all(client, "/api/v1/statements/?_size=3")
    slugs = [row["slug"] for row in rows]
    published = set(Statement.objects.published().values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == len(published)
    assert set(slugs) == published
    assert draft.slug not in slugs
    assert pages == -(-len(published) // 3)


@pytest.mark.parametrize("sort", ["_sort=text", "_sort_desc=date", "_sort=slug", ""])
def test_paging_is_stable_when_rows_are_added_between_pages(client, db, sort):
    speaker = make_actor()
    for index in range(7):
        make_statement(
            speaker=speaker,
            text=f"Statement {index:02d}",
            date=datetime.date(2025, 1, 1 + index) if index % 2 else None,
        )
    before = set(Statement.objects.values_list("slug", flat=True))
    first = get(client, f"/api/v1/statements/?_size=3&{sort}").json()
    # Rows that sort before, among and after the rows already read.
    make_statement(speaker=speaker, text="Statement 00 bis", slug="aaa-added")
    make_statement(speaker=speaker, text="Statement 99", slug="zzz-added")
    parts = urlsplit(first["next_url"])
    rest, _ = follow_all(client, f"{parts.path}?{parts.query}")
    seen = [row["slug"] for row in first["rows"] + rest]
    assert len(seen) == len(set(seen)), "a row was read twice"
    assert before <= set(seen), "a row was skipped"


def test_a_sorted_list_is_in_order_with_undated_rows_last(client, db):
    speaker = make_actor()
    for day in (3, 1, 2):
        make_statement(speaker=speaker, date=datetime.date(2025, 4, day))
    make_statement(speaker=speaker, date=None)
    rows, _ = follow_all(client, "/api/v1/statements/?_size=1&_sort_desc=date")
    assert [row["date"] for row in rows] == ["2025-04-03", "2025-04-02", "2025-04-01", None]


def test_a_draft_never_appears_through_any_endpoint_or_filter(client, seed):
    speaker = make_actor(name="Draftly Hidden", publication_status="draft")
    draft = make_statement(speaker=speaker, text="zanzibarish words", publication_status="draft")
    make_transfer(title="Zanzibarish transfer", publication_status="draft")
    for kind in KINDS:
        base = f"/api/v1/{kind.url_prefix}/"
        for query in ("", "?q=zanzibarish", "?q=draftly", "?_extra=facets,count"):
            body = json.dumps(get(client, base + query).json())
            assert "anzibarish" not in body and "Draftly" not in body, (kind.name, query)
    assert get(client, f"/api/v1/statements/{draft.slug}/").status_code == 404
    assert get(client, f"/api/v1/actors/{speaker.slug}/").status_code == 404
    assert get(client, f"/api/v1/statements/?speaker={speaker.slug}").status_code == 400
    assert "Draftly" not in json.dumps(get(client, "/api/v1/corrections/").json())


def test_a_record_is_the_json_exports_row_with_its_citations(client, seed):
    export = client.get("/transfers/?_export=json")
    exported = {row["slug"]: row for row in json.loads(b"".join(export.streaming_content))}
    slug = next(iter(exported))
    response = get(client, f"/api/v1/transfers/{slug}/")
    assert response.status_code == 200
    (row,) = response.json()["rows"]
    assert row["citations"] and {"quote", "source", "paragraph", "supports"} <= set(
        row["citations"][0]
    )
    # The API adds to each citation where the quote sits in its source.
    annotation = {"selector", "text_fragment_url", "source_slug"}
    for citation in row["citations"]:
        selector = citation["selector"]
        assert selector["type"] == "TextQuoteSelector"
        assert selector["exact"] == citation["quote"]
        for name in annotation:
            del citation[name]
    assert row == exported[slug]


def test_counts_and_facets_only_when_asked(client, seed):
    plain = get(client, "/api/v1/transfers/").json()
    assert set(plain) == {"ok", "rows", "next", "next_url"}
    extra = get(client, "/api/v1/transfers/?_extra=count&_extra=facets").json()
    assert extra["count"] == len(plain["rows"])
    assert extra["count_is_capped"] is False
    assert {facet["name"] for facet in extra["facets"]}


def test_filters_narrow_a_list_as_they_narrow_the_table(client, db):
    speaker, other = make_actor(), make_actor()
    said = make_statement(speaker=speaker)
    make_statement(speaker=other)
    rows = get(client, f"/api/v1/statements/?speaker={speaker.slug}").json()["rows"]
    assert [row["slug"] for row in rows] == [said.slug]


# --- Tokens ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_user("token-admin", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.ADMINS))
    client.force_login(user)
    return client


def test_an_admin_issues_a_token_shown_once_and_stored_hashed(admin_client, client, db):
    draft = make_statement(publication_status="draft")
    response = admin_client.post(
        "/admin/cases/apitoken/add/", {"name": "Notebook", "role": "editor"}, follow=True
    )
    assert response.status_code == 200
    (secret,) = re.findall(r'<code class="api-token">([^<]+)</code>', response.content.decode())
    stored = ApiToken.objects.get(name="Notebook")
    assert secret not in {stored.digest, stored.prefix} and len(stored.digest) == 64
    admin_client.logout()
    rows = get(client, "/api/v1/statements/", **bearer(secret)).json()["rows"]
    assert draft.slug in [row["slug"] for row in rows]
    assert rows[0]["publication_status"]


def test_a_journalists_token_sees_no_drafts_and_a_revoked_one_is_refused(client, admin_client, db):
    draft = make_statement(publication_status="draft")
    secret = issue_token("journalist")
    response = get(client, "/api/v1/statements/", **bearer(secret))
    assert draft.slug not in json.dumps(response.json())
    token = ApiToken.objects.get()
    admin_client.post(
        "/admin/cases/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ApiToken.objects.get().revoked_at is not None
    admin_client.logout()
    refused = get(client, "/api/v1/statements/", **bearer(secret))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["error"]


def test_a_made_up_token_is_refused_not_read_as_anonymous(client, db):
    response = get(client, "/api/v1/statements/", HTTP_AUTHORIZATION="Bearer made-up")
    assert response.status_code == 401
    assert response.json()["ok"] is False


def test_a_closed_site_answers_anonymous_api_readers_401_and_token_holders_200(
    client, db, settings
):
    settings.SITE_MODE = "closed"
    make_statement()
    assert get(client, "/api/v1/statements/").status_code == 401
    ok = get(client, "/api/v1/statements/", **bearer(issue_token()))
    assert ok.status_code == 200 and ok.json()["rows"]


# --- Bad parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "_size=0",
        "_size=1001",
        "_size=ten",
        "_size=1&_size=2",
        "colour=blue",
        "_next=not-a-token",
        "_next=eyJzIjoidGV4dCIsImsiOjEsInYiOm51bGx9",  # a token made for another sort
        "_sort=internal_note",
        "_sort=text&_sort_desc=text",
        "_extra=everything",
        "claim_status=certain",
        "as_of=yesterday-ish",
        "as_of=2999-01-01",
        "as_of=2025-01-01&_sort=text",
        "as_of=2025-01-01&_extra=facets",
    ],
)
def test_bad_parameters_get_a_json_400_that_says_what_to_correct(client, db, query):
    response = get(client, f"/api/v1/statements/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["error"]


def test_an_unknown_record_is_a_json_404(client, db):
    response = get(client, "/api/v1/actors/nobody-at-all/")
    assert response.status_code == 404
    assert response.json()["ok"] is False


@pytest.mark.parametrize("slug", ["%00", "a%00b", "%C3%A9t%C3%A9", "a%20b", "a" * 1000])
def test_an_address_no_slug_could_have_is_a_json_404(client, db, slug):
    # make fuzz (issue 28): a NUL byte reached PostgreSQL, which refuses it: a 500.
    response = get(client, f"/api/v1/detainee-groups/{slug}/")
    assert response.status_code == 404
    assert response.json()["ok"] is False


# --- As of, corrections, caching -------------------------------------------------------------


def test_as_of_gives_a_record_and_a_list_as_they_stood(client, db):
    actor = make_actor(name="Old name", role="Minister")
    make_citation(actor)
    before = timezone.now()
    correct(actor, "The source names her otherwise", name="New name")
    now = get(client, f"/api/v1/actors/{actor.slug}/").json()["rows"][0]
    then = get(
        client, f"/api/v1/actors/{actor.slug}/?as_of={before.isoformat()}".replace("+", "%2B")
    )
    assert now["name"] == "New name"
    assert then.json()["rows"][0]["name"] == "Old name"
    listed = get(client, f"/api/v1/actors/?as_of={before.isoformat()}".replace("+", "%2B")).json()
    assert [row["name"] for row in listed["rows"]] == ["Old name"]
    assert listed["as_of"]


def test_the_corrections_endpoint_lists_each_change_with_its_reason(client, db):
    transfers = [make_transfer(title=f"Flight {index}") for index in range(3)]
    for index, transfer in enumerate(transfers):
        correct(transfer, f"Reason {index}", count_stated="238", count=238)
    rows, pages = follow_all(client, "/api/v1/corrections/?_size=2")
    assert pages == 2
    assert [row["reason"] for row in rows] == ["Reason 2", "Reason 1", "Reason 0"]
    assert rows[0]["record"]["slug"] == transfers[2].slug
    assert {"field", "before", "after"} <= set(rows[0]["changes"][0])


def test_responses_carry_an_etag_that_changes_with_the_data(client, db):
    statement = make_statement()
    first = get(client, "/api/v1/statements/")
    assert "public" in first["Cache-Control"]
    again = client.get("/api/v1/statements/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    correct(statement, "Words as said", text="Other words that were said.")
    changed = get(client, "/api/v1/statements/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert changed.json()["rows"][0]["text"] == "Other words that were said."


def test_a_token_holders_response_is_private(client, db):
    make_statement()
    response = get(client, "/api/v1/statements/", **bearer(issue_token("editor")))
    assert "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def list_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.json()["rows"])


def test_a_lists_query_count_does_not_grow_with_its_rows(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 0
    source = make_actor()
    for index in range(3):
        make_citation(make_statement(speaker=source, text=f"Words {index}."))
    few, rows = list_queries(client, "/api/v1/statements/?_size=1000")
    assert rows == 3
    for index in range(20):
        make_citation(make_statement(text=f"More words {index}."))
    many, rows = list_queries(client, "/api/v1/statements/?_size=1000")
    assert rows == 23
    assert many == few
