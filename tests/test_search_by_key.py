"""Search combines its branches by key (issue 25): each word's own-text
match, each link's records, read through their own indexes and joined as
`id IN (... UNION ALL ...)`. These are the cases where a branch could be lost
or a record let in: a word only in a linked record's name (by a foreign key
and by a many-to-many link), a word inside another word, a Spanish word in
another form, accents, drafts on either side of a link, and the stored
folded text PostgreSQL matches substrings in (migration 0024) after writes.
All names are made up.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from cases.models import Transfer
from cases.search import spanish_fields
from cases.search_index import postgres_fold_expression, searchable_models
from tests.factories import (
    make_actor,
    make_agreement,
    make_event,
    make_facility,
    make_group,
    make_source,
    make_statement,
    make_transfer,
)

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="migration 0024's columns are PostgreSQL's"
)


def found(query, user=None):
    """The transfers a reader finds, in the order search gives them."""
    user = user or AnonymousUser()
    return list(
        Transfer.objects.visible_to(user).search(query, user).values_list("slug", flat=True)
    )


def in_table_order(*slugs):
    """Those transfers in the order every list of transfers has."""
    return list(Transfer.objects.filter(slug__in=slugs).values_list("slug", flat=True))


@pytest.fixture
def ximilpa():
    """Transfers that hold the made-up word "Ximilpa" in each way search
    looks, one that does not, and drafts."""
    make_transfer(slug="own-title", title="Flight to the Ximilpa annex", date="2020-01-03")
    make_transfer(slug="inside-a-word", summary="Held by the Ximilpanecos.", date="2020-01-01")
    make_transfer(slug="accented", summary="Sent on to XIMÍLPA", date="2020-01-02")
    make_transfer(slug="by-destination", destination=make_facility(name="Ximilpa Annex"))
    make_transfer(slug="by-group", groups=[make_group(name="The Ximilpa cohort")])
    make_transfer(slug="by-agreement", agreement=make_agreement(title="Ximilpa accord"))
    make_transfer(slug="unrelated", title="Flight to Quilmana")
    make_transfer(slug="draft-itself", title="Ximilpa", publication_status="draft")
    hidden = make_facility(name="Ximilpa hidden wing", publication_status="draft")
    make_transfer(slug="through-a-draft", destination=hidden)


def test_every_branch_finds_its_records_in_the_tables_order(ximilpa):
    expected = in_table_order(
        "own-title", "inside-a-word", "accented", "by-destination", "by-group", "by-agreement"
    )
    assert found("ximilpa") == expected
    # Every word must match, each through any branch.
    assert found("ximilpa annex") == in_table_order("own-title", "by-destination")


def test_drafts_are_found_neither_themselves_nor_through_a_link(ximilpa):
    assert "draft-itself" not in found("ximilpa")
    assert "through-a-draft" not in found("ximilpa")
    assert found("hidden wing") == []


def test_an_editor_finds_drafts_and_records_through_them(ximilpa, django_user_model):
    editor = django_user_model.objects.create_superuser("editor", "e@example.org", "pw")
    assert {"draft-itself", "through-a-draft"} <= set(found("ximilpa", editor))


@postgres_only
def test_a_word_from_the_middle_of_another_is_found_on_postgresql(ximilpa):
    assert found("milpanec") == ["inside-a-word"]


def test_a_spanish_word_in_another_form_and_without_accents_is_found(db):
    make_transfer(slug="spanish", summary_es="Los deportados llegaron a Quilmaná.")
    make_transfer(slug="english", summary="Deported to Quilmana.")
    assert found("quilmana") == in_table_order("spanish", "english")
    assert found("deportación quilmana") == ["spanish"]
    assert found("llegaron") == ["spanish"]


def test_an_edit_is_followed_by_every_branch(db):
    transfer = make_transfer(slug="edited", title="Flight to Zunzalco")
    transfer.title = "Flight to Tepexco"
    transfer.save()
    assert found("zunzalco") == []
    assert found("tepexco") == ["edited"]
    Transfer.objects.filter(pk=transfer.pk).update(summary="Via Ayutlan")
    assert found("ayutlan") == ["edited"]


@postgres_only
def test_the_stored_folded_text_is_always_the_folded_fields(db):
    """Migration 0022's columns hold exactly what cases_search_fold() makes
    of each kind's search fields (those indexed before, which search
    matched), through creation, save() and update(), with accents, joiners
    and empty fields."""
    make_actor(name="María-Elvira O’Neill", role="", aliases="M.E.")
    make_facility(name="Centro “Ximilpa”", description_es="Cárcel de máxima seguridad")
    make_agreement(title="U.S.–Ximilpa", title_es="Acuerdo Ximilpa", summary="")
    make_event(title="Ñandú meeting")
    make_statement(text="We’ll see.")
    make_source(title="Diario “El Ximilpeño”", publisher="")
    group = make_group(name="Ximilpa-13", name_es="Ximilpa-13 (grupo)")
    group.nationality = "Salvadoran"
    group.save()
    transfer = make_transfer(title="Zürich → Ximilpa", title_es="Traslado a Ximilpa")
    Transfer.objects.filter(pk=transfer.pk).update(summary_es="Deportación", to_country="")
    with connection.cursor() as cursor:
        for model, _names, _body, names_es, body_es in searchable_models():
            table = model._meta.db_table
            fields = model.objects.all().search_fields
            columns = {"search_folded": fields}
            if names_es or body_es:
                columns["search_folded_es"] = spanish_fields(fields, model)
            for column, fields in columns.items():
                cursor.execute(
                    f'SELECT count(*), count(*) FILTER (WHERE "{column}" IS DISTINCT FROM '
                    f'{postgres_fold_expression(fields)}) FROM "{table}"'
                )
                rows, different = cursor.fetchone()
                assert different == 0, (table, column)
                assert rows, table
