"""schema.org JSON-LD on record and table pages: it parses, names each
claim's source, links the table's downloads, and cannot be broken out of."""

import json
import re

import pytest

from cases.kinds import KINDS, KINDS_BY_NAME
from cases.models import Source
from tests.factories import make_actor, make_citation, make_source

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    (block,) = LD_JSON.findall(response.content.decode())
    return json.loads(block)


def test_every_record_page_carries_json_ld_naming_its_source_article(client, seed):
    article = Source.objects.get(slug="article-bukele-white-house-visit")
    for kind in KINDS:
        for record in kind.model.objects.published():
            document = json_ld(client, record.get_absolute_url())
            assert document["@context"] == "https://schema.org"
            assert document["@id"].endswith(record.get_absolute_url())
            if kind.model is Source:
                assert document["@type"] == "NewsArticle" or record != article
                continue
            cited = {claim["citation"]["headline"] for claim in document.get("subjectOf", [])}
            assert article.title in cited, record.get_absolute_url()
            claim = document["subjectOf"][0]
            assert claim["@type"] == "Claim" and claim["text"]


@pytest.mark.parametrize(
    ("slug", "schema_type"),
    [
        ("nayib-bukele", "Person"),
        ("tren-de-aragua", "Organization"),
    ],
)
def test_an_actor_is_a_person_or_an_organization(client, seed, slug, schema_type):
    assert json_ld(client, f"/actors/{slug}/")["@type"] == schema_type


def test_places_events_and_quotations(client, seed):
    assert json_ld(client, "/facilities/cecot/")["@type"] == "Place"
    event = next(iter(KINDS_BY_NAME["event"].model.objects.published()))
    assert json_ld(client, event.get_absolute_url())["@type"] == "Event"
    statements = KINDS_BY_NAME["statement"].model.objects.published()
    quoted = statements.filter(kind="direct_quote").first()
    quotation = json_ld(client, quoted.get_absolute_url())
    assert quotation["@type"] == "Quotation" and quotation["text"] == quoted.text
    assert quotation["creator"]["name"] == quoted.speaker.name
    # A paraphrase is never presented as the speaker's own words.
    paraphrase = json_ld(client, statements.filter(kind="paraphrase").first().get_absolute_url())
    assert paraphrase["@type"] != "Quotation" and "text" not in paraphrase


def test_a_table_page_is_a_dataset_whose_downloads_work(client, seed, settings, tmp_path):
    settings.DATA_PACKAGE_DIR = tmp_path
    document = json_ld(client, "/transfers/")
    assert document["@type"] == "Dataset" and document["license"]
    formats = {d["encodingFormat"] for d in document["distribution"]}
    assert {"text/csv", "application/json", "application/vnd.datapackage+json"} <= formats
    for distribution in document["distribution"]:
        path = distribution["contentUrl"].removeprefix("http://testserver")
        assert client.get(path).status_code == 200, path


def test_a_draft_source_is_never_named(client, db):
    actor = make_actor()
    make_citation(actor, source=make_source(title="Public report"))
    make_citation(actor, source=make_source(title="Unpublished memo", publication_status="draft"))
    text = json.dumps(json_ld(client, actor.get_absolute_url()))
    assert "Public report" in text and "Unpublished memo" not in text


def test_markup_in_a_record_cannot_end_the_script(client, db):
    name = "</script><script>alert(1)</script> & co"
    actor = make_actor(name=name)
    make_citation(actor)
    assert json_ld(client, actor.get_absolute_url())["name"] == name
