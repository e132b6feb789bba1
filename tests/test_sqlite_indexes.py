"""On SQLite, migration 0010 builds the sort and facet indexes PostgreSQL got
from 0004 and 0006, and the table pages' queries use them."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from cases.models import Transfer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own indexes"),
]


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def test_a_facet_is_counted_from_a_covering_index():
    counts = (
        Transfer.objects.published().order_by().values("destination").annotate(matching=Count("pk"))
    )
    assert "COVERING INDEX transfer_destination_id_facet" in plan(counts)


def test_each_sortable_column_has_its_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = {row[0] for row in cursor.fetchall()}
    for expected in (
        "transfer_table_order",
        "transfer_title_sort",
        "transfer_date_desc_sort",
        "actor_name_sort",
    ):
        assert expected in names


def test_an_index_lost_to_a_table_rebuild_comes_back_after_migrate():
    # A later migration that rebuilds cases_transfer on SQLite (an added column
    # with a default) drops the indexes 0010 made in raw SQL; as that would.
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX "transfer_table_order"')
    call_command("migrate", verbosity=0)
    test_each_sortable_column_has_its_index()


def test_an_index_a_migration_adds_gets_statistics_after_migrate():
    """A new index on an analyzed table is analyzed too: SQLite otherwise
    guesses, and chose migration 0022's new index over the covering one for
    every facet count (ten times slower at 100,000 transfers)."""
    from tests.factories import make_transfer

    make_transfer()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # What a later migration's AddIndex does.
        cursor.execute('CREATE INDEX "transfer_new_index" ON "cases_transfer" ("updated_at")')
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE idx = 'transfer_new_index'")
        assert cursor.fetchone() is not None
