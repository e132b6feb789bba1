"""The OpenRefine reconciliation service at /reconcile, through HTTP, in the
shapes OpenRefine sends and reads (W3C Reconciliation Service API 0.2)."""

import json

import pytest

from tests.factories import make_actor, make_facility

pytestmark = pytest.mark.django_db


def reconcile(client, queries, method="post"):
    send = client.post if method == "post" else client.get
    response = send("/reconcile", {"queries": json.dumps(queries)})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_manifest_names_the_types_preview_and_suggest(client, db):
    manifest = client.get("/reconcile").json()
    assert "0.2" in manifest["versions"]
    assert {t["id"] for t in manifest["defaultTypes"]} == {
        "actor",
        "facility",
        "agreement",
        "detaineegroup",
    }
    assert "{{id}}" in manifest["view"]["url"] and "{{id}}" in manifest["preview"]["url"]
    assert manifest["suggest"]["entity"]["service_path"] == "/suggest/entity"


def test_nayib_bukele_is_found_for_nayib_bukele(client, seed):
    answers = reconcile(client, {"q0": {"query": "nayib bukele"}})
    best = answers["q0"]["result"][0]
    assert best["id"] == "actors/nayib-bukele"
    assert best["name"] == "Nayib Bukele"
    assert best["score"] == 100 and best["match"] is True
    assert best["type"] == [{"id": "actor", "name": "Actor"}]
    # The id opens the record's page, as the manifest's view template says.
    view = client.get("/reconcile").json()["view"]["url"].replace("{{id}}", best["id"])
    assert client.get(view.removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize("query", ["NAYIB BUKELE", "Nayib  Búkele", "bukele"])
def test_accents_case_and_aliases_are_forgiven(client, seed, query):
    answers = reconcile(client, {"q0": {"query": query, "type": "actor", "limit": 3}}, "get")
    assert answers["q0"]["result"][0]["id"] == "actors/nayib-bukele"


def test_an_alias_scores_as_the_name_does(client, db):
    make_facility(name="Counter-Terrorism Confinement Center", aliases="Cecot\nMega-prison")
    (best,) = reconcile(client, {"q0": {"query": "mega prison", "type": "facility"}})["q0"][
        "result"
    ]
    assert best["score"] == 100 and best["match"]


def test_two_records_of_the_same_name_are_candidates_but_neither_a_match(client, db):
    make_actor(name="José Pérez", slug="jose-perez-1")
    make_actor(name="Jose Perez", slug="jose-perez-2")
    results = reconcile(client, {"q0": {"query": "jose perez"}})["q0"]["result"]
    assert [r["score"] for r in results] == [100, 100]
    assert not any(r["match"] for r in results)


def test_drafts_are_never_candidates_nor_previewed(client, staff_client, db):
    make_actor(name="Draftly Person", slug="draftly", publication_status="draft")
    for reader in (client, staff_client):
        assert reconcile(reader, {"q0": {"query": "draftly person"}})["q0"]["result"] == []
        suggested = reader.get("/reconcile/suggest/entity", {"prefix": "draftl"}).json()
        assert suggested["result"] == []
        assert reader.get("/reconcile/preview", {"id": "actors/draftly"}).status_code == 404


def test_preview_and_suggest(client, seed):
    preview = client.get("/reconcile/preview", {"id": "actors/nayib-bukele"})
    assert preview.status_code == 200
    assert "Nayib Bukele" in preview.content.decode()
    # OpenRefine shows the preview in a frame.
    assert "frame-ancestors *" in preview["Content-Security-Policy"]
    assert "X-Frame-Options" not in preview
    suggested = client.get("/reconcile/suggest/entity", {"prefix": "buke"}).json()["result"]
    assert [s["id"] for s in suggested] == ["actors/nayib-bukele"]
    types = client.get("/reconcile/suggest/type", {"prefix": "fac"}).json()["result"]
    assert types == [{"id": "facility", "name": "Facility"}]


def test_jsonp_for_openrefines_older_clients(client, seed):
    response = client.get("/reconcile", {"callback": "jsonp123"})
    assert response.content.decode().startswith("/**/jsonp123(")


@pytest.mark.parametrize(
    "queries",
    ["not json", "[1, 2]", '{"q0": {"query": "x", "type": "planet"}}', '{"q0": {"limit": -1}}'],
)
def test_bad_queries_get_a_400_saying_why(client, db, queries):
    response = client.post("/reconcile", {"queries": queries})
    assert response.status_code == 400
    assert response.json()["error"]
