"""Filters and sorts that go through a relation see only what the reader may
see: a draft related record (a speaker, a destination, a party...) acts
exactly as a record that does not exist. Before, `/statements/?sort=speaker`
placed a statement where its hidden speaker's name sorted, so the name could
be narrowed down letter by letter by renaming nothing at all: only by asking.

(Search through relations is tested in test_search.py.)"""

from dataclasses import dataclass

import pytest

from cases.kinds import KINDS
from cases.models import Actor, Agreement, Facility
from cases.querysets import visible_sort_key
from cases.tables import RelatedLinkColumn

from .factories import (
    make_actor,
    make_agreement,
    make_event,
    make_facility,
    make_group,
    make_statement,
    make_transfer,
)

pytestmark = pytest.mark.django_db

# A name that sorts before and one that sorts after every published name.
FIRST_NAME = "AAAA hidden"
LAST_NAME = "zzzz hidden"


def row_slugs(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return [row.record.slug for row in response.context["table"].page.object_list]


@dataclass
class SortCase:
    url: str
    column: str
    related_model: type
    name_field: str
    # Builds one published row pointing at `related` (None: no related record).
    make_row: object
    # The rows' relation seen from the related record, to unlink it (None:
    # the relation is required).
    reverse_name: str | None

    def make_related(self, name, status):
        if self.related_model is Actor:
            return make_actor(name=name, publication_status=status)
        if self.related_model is Facility:
            return make_facility(name=name, publication_status=status)
        return make_agreement(title=name, publication_status=status)


SORT_CASES = [
    SortCase(
        "/transfers/",
        "destination",
        Facility,
        "name",
        lambda r: make_transfer(destination=r),
        "transfers",
    ),
    SortCase(
        "/transfers/",
        "agreement",
        Agreement,
        "title",
        lambda r: make_transfer(agreement=r),
        "transfers",
    ),
    SortCase(
        "/detainee-groups/",
        "facility",
        Facility,
        "name",
        lambda r: make_group(facility=r),
        "detainee_groups",
    ),
    SortCase("/events/", "facility", Facility, "name", lambda r: make_event(facility=r), "events"),
    SortCase("/statements/", "speaker", Actor, "name", lambda r: make_statement(speaker=r), None),
]


@pytest.mark.parametrize("case", SORT_CASES, ids=lambda c: f"{c.url}?sort={c.column}")
def test_sorting_by_a_relation_does_not_place_a_row_by_a_draft_records_name(client, case):
    for name in ("Kilo", "Lima", "Mike"):
        case.make_row(case.make_related(name, "published"))
    hidden = case.make_related(FIRST_NAME, "draft")
    case.make_row(hidden)

    def orders():
        return [row_slugs(client, case.url, sort=sort) for sort in (case.column, f"-{case.column}")]

    before = orders()
    setattr(hidden, case.name_field, LAST_NAME)
    hidden.save()
    assert orders() == before, "the order follows the hidden name"
    if case.reverse_name:
        # ...and it is the order of a row with no related record at all.
        getattr(hidden, case.reverse_name).update(**{case.column: None})
        assert orders() == before


@pytest.mark.parametrize("case", SORT_CASES, ids=lambda c: f"{c.url}?sort={c.column}")
def test_staff_who_see_the_draft_get_it_sorted_by_its_name(staff_client, case):
    # The same sort for a reader who may see the draft: by its name, so the
    # test above is not passing because the sort ignores names altogether.
    for name in ("Kilo", "Lima", "Mike"):
        case.make_row(case.make_related(name, "published"))
    hidden = case.make_related(FIRST_NAME, "draft")
    case.make_row(hidden)
    first = row_slugs(staff_client, case.url, sort=case.column)[0]
    setattr(hidden, case.name_field, LAST_NAME)
    hidden.save()
    assert row_slugs(staff_client, case.url, sort=case.column)[-1] == first


def test_statements_in_the_usual_order_do_not_follow_a_hidden_speakers_name(client):
    # The table's own order (newest first, then speaker) went through the
    # speaker's name too: statements of one date were ordered by it.
    hidden = make_actor(name=FIRST_NAME, publication_status="draft")
    for name in ("Kilo", "Lima", "Mike"):
        make_statement(speaker=make_actor(name=name), date="2025-03-15")
    make_statement(speaker=hidden, date="2025-03-15")
    before = row_slugs(client, "/statements/")
    hidden.name = LAST_NAME
    hidden.save()
    assert row_slugs(client, "/statements/") == before


def test_a_facilitys_statements_do_not_follow_a_hidden_speakers_name(client):
    facility = make_facility()
    hidden = make_actor(name=FIRST_NAME, publication_status="draft")
    for name in ("Kilo", "Lima"):
        make_statement(speaker=make_actor(name=name), facility=facility, text=f"Said by {name}.")
    make_statement(speaker=hidden, facility=facility, text="Said by the hidden one.")

    def order():
        page = client.get(facility.get_absolute_url()).content.decode()
        return sorted(("Said by Kilo.", "Said by Lima.", "Said by the hidden one."), key=page.index)

    before = order()
    hidden.name = LAST_NAME
    hidden.save()
    assert order() == before


# --- Filters ------------------------------------------------------------------------

FILTER_CASES = [
    ("/transfers/", "destination", lambda r: make_transfer(destination=r), "facility"),
    ("/transfers/", "agreement", lambda r: make_transfer(agreement=r), "agreement"),
    ("/detainee-groups/", "facility", lambda r: make_group(facility=r), "facility"),
    (
        "/detainee-groups/",
        "affiliation",
        lambda r: make_group(alleged_affiliations=[r]),
        "actor",
    ),
    ("/agreements/", "party", lambda r: make_agreement(parties=[r]), "actor"),
    ("/events/", "facility", lambda r: make_event(facility=r), "facility"),
    ("/events/", "participant", lambda r: make_event(participants=[r]), "actor"),
    ("/statements/", "speaker", lambda r: make_statement(speaker=r), "actor"),
]
MAKERS = {"facility": make_facility, "agreement": make_agreement, "actor": make_actor}


@pytest.mark.parametrize(
    ("url", "parameter", "make_row", "related_kind"),
    FILTER_CASES,
    ids=[f"{url}?{parameter}" for url, parameter, *_ in FILTER_CASES],
)
def test_filtering_by_a_draft_record_is_the_same_as_by_one_that_does_not_exist(
    client, url, parameter, make_row, related_kind
):
    make_row(MAKERS[related_kind](slug="published-one"))
    hidden = MAKERS[related_kind](slug="hidden-one", publication_status="draft")
    make_row(hidden)

    def page(slug, **extra):
        response = client.get(url, {parameter: slug, **extra})
        assert response.status_code == 200
        rows = [row.record.slug for row in response.context["table"].page.object_list]
        return rows, response.content.decode().replace(slug, "SLUG")

    for extra in ({}, {"sort": "-slug"}, {"_export": "csv"}):
        if "_export" in extra:
            draft = client.get(url, {parameter: "hidden-one", **extra})
            missing = client.get(url, {parameter: "never-existed", **extra})
            # Exports stream.
            assert b"".join(draft.streaming_content) == b"".join(missing.streaming_content)
            continue
        draft_rows, draft_page = page("hidden-one", **extra)
        missing_rows, missing_page = page("never-existed", **extra)
        assert draft_rows == missing_rows == []
        assert draft_page == missing_page


def test_every_related_column_sorts_by_a_key_its_queryset_provides():
    # A column sorting by a key for_table() does not add would be a 500.
    checked = 0
    for kind in KINDS:
        for column in kind.table.base_columns.values():
            if isinstance(column, RelatedLinkColumn):
                assert column.sort_path in kind.model.objects.all().table_sort_relations
                assert column.sort_field == visible_sort_key(column.sort_path)
                checked += 1
    assert checked == len(SORT_CASES)
