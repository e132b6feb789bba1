"""Search never finds a record through a draft it is linked to (issue 15.1).

For every relation search looks through (each kind's search_relations), a
published record is linked to a draft with a made-up name. Searching for that
name, or a part of it, must answer the public exactly as a name that exists
nowhere does, on the search page, on the table and in its exports; an editor,
who may see drafts, still finds the record through it.
"""

import json
import re

import pytest
from django.urls import reverse

from cases.models import Actor, Agreement, DetaineeGroup, Event, Facility, Statement, Transfer
from tests.factories import (
    make_actor,
    make_agreement,
    make_event,
    make_facility,
    make_group,
    make_statement,
    make_transfer,
)

pytestmark = pytest.mark.django_db

BUILDERS = {
    Actor: make_actor,
    Agreement: make_agreement,
    DetaineeGroup: make_group,
    Event: make_event,
    Facility: make_facility,
    Statement: make_statement,
    Transfer: make_transfer,
}
# A name no record has, and one that only the draft has.
NOWHERE = "Xochiquetzal"
DRAFT_NAME = "Quelepa Tazumal"


def searched_relations():
    """(model, relation) for every link search follows."""
    return [
        (model, relation) for model in BUILDERS for relation in model.objects.all().search_relations
    ]


def link_to_draft(model, relation):
    """A published `model` record linked through `relation` to a draft named
    DRAFT_NAME; returns both."""
    field = model._meta.get_field(relation)
    related_model = field.related_model
    name_field = related_model.objects.all().search_name_fields[0]
    draft = BUILDERS[related_model](
        publication_status="draft", **{name_field: f"The {DRAFT_NAME} record"}
    )
    owner = BUILDERS[model]()
    if field.many_to_one:
        setattr(owner, relation, draft)
        owner.save()
    elif field.remote_field.through._meta.auto_created:
        getattr(owner, relation).add(draft)
    else:
        getattr(owner, relation).add(draft, through_defaults={"role": "Party"})
    return owner, draft


def body(response):
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def found(client, model, query):
    """What a reader learns from searching `query`: the search page's links to
    records of `model`, the table's, and the JSON export's rows."""
    list_url = reverse(f"cases:{model._meta.model_name}_list")
    search_page = body(client.get("/search/", {"q": query}))
    table = body(client.get(list_url, {"q": query}))
    export = json.loads(body(client.get(list_url, {"q": query, "_export": "json"})))
    record_link = re.compile(rf'href="{re.escape(list_url)}([\w-]+)/"')
    return {
        "search": sorted(record_link.findall(search_page)),
        "table": sorted(record_link.findall(table)),
        "export": sorted(json.dumps(row, sort_keys=True) for row in export),
    }


def test_every_relation_search_follows_is_covered():
    # A relation added to search_relations is tested here without more work.
    assert (Statement, "speaker") in searched_relations()
    assert len(searched_relations()) >= 19


@pytest.mark.parametrize(
    ("model", "relation"),
    searched_relations(),
    ids=[f"{model.__name__}.{relation}" for model, relation in searched_relations()],
)
def test_a_draft_linked_record_is_found_by_nobody_but_those_who_see_drafts(
    client, staff_user, model, relation
):
    owner, draft = link_to_draft(model, relation)
    for query in (DRAFT_NAME, DRAFT_NAME.split()[0], DRAFT_NAME[:4]):
        assert found(client, model, query) == found(client, model, NOWHERE), query
        page = body(client.get("/search/", {"q": query}))
        assert owner.get_absolute_url() not in page
        # Nor is the draft named among the linked records the search went through.
        assert draft.get_absolute_url() not in page
        assert "search-linked" not in page
    client.force_login(staff_user)
    assert owner.get_absolute_url() in body(client.get("/search/", {"q": DRAFT_NAME}))
    list_url = reverse(f"cases:{model._meta.model_name}_list")
    assert owner.slug in body(client.get(list_url, {"q": DRAFT_NAME, "_export": "json"}))


def test_the_published_statement_of_a_draft_speaker_is_not_found_by_the_speakers_name(client):
    # The case the outside test found: 216 anonymous requests spelled the name out.
    speaker = make_actor(name="Unpublished Official", publication_status="draft")
    make_statement(text="Words about Ilopango.", speaker=speaker, slug="ilopango-words")
    for query in ("Unpublished Official", "Unpub", "Official"):
        for url in ("/search/", "/statements/"):
            assert "/statements/ilopango-words/" not in body(client.get(url, {"q": query}))
        export = body(client.get("/statements/", {"q": query, "_export": "json"}))
        assert json.loads(export) == []
    assert "/statements/ilopango-words/" in body(client.get("/statements/", {"q": "Ilopango"}))


def test_facet_counts_do_not_count_records_found_through_a_draft(client):
    speaker = make_actor(name="Unpublished Official", publication_status="draft")
    make_statement(speaker=speaker, kind="direct_quote")
    html = body(client.get("/statements/", {"q": "Unpublished", "kind": "direct_quote"}))
    assert "(1)" not in html
