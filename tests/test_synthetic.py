"""The synthetic data commands, at small scale: `synthesize` fills the
database with clearly marked records in the seed's shape, and
`remove_synthetic` takes every one of them out again and nothing else."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.management.commands.remove_synthetic import DELETE_ORDER
from bench.management.commands.synthesize import (
    CHANGE_REASON,
    RARE_TOKEN,
    SYNTHETIC_SOURCE_SLUG,
    SYNTHETIC_SOURCE_TITLE,
)
from cases import data_version
from cases.kinds import KINDS
from cases.models import (
    Actor,
    Agreement,
    AgreementParty,
    Citation,
    Designation,
    DetaineeGroup,
    Event,
    Facility,
    Source,
    Statement,
    Transfer,
    validate_stated_count,
)
from tests.factories import make_citation, make_source, make_statement, make_transfer

# Every kind but sources, which the others cite.
RECORD_KINDS = tuple(kind.model for kind in KINDS if kind.model is not Source)


def synthesize(transfers=40, **options):
    out = StringIO()
    call_command("synthesize", transfers=transfers, stdout=out, **options)
    return out.getvalue()


def remove_synthetic():
    out = StringIO()
    call_command("remove_synthetic", stdout=out)
    return out.getvalue()


def every_row():
    """Every row of every table of the app, history and link tables
    included, by table, as comparable values. Not the data version: it
    changes with every write, which is its job (cases/data_version.py)."""
    rows = {}
    for model in apps.get_app_config("cases").get_models(include_auto_created=True):
        if model._meta.db_table == data_version.VERSION_TABLE:
            continue
        fields = [field.attname for field in model._meta.concrete_fields]
        values = model._default_manager.order_by("pk").values_list("pk", *fields)
        rows[model._meta.db_table] = list(values)
    return rows


def synthetic_records(model):
    return model.objects.filter(slug__startswith="synthetic-")


@pytest.fixture
def synthetic(db):
    synthesize()


def test_synthesize_creates_every_kind_of_record_in_the_seed_shape(synthetic):
    assert synthetic_records(Actor).count() == 50
    assert synthetic_records(Facility).count() == 10
    assert synthetic_records(Agreement).count() == 10
    assert synthetic_records(Transfer).count() == 40
    # One group per transfer, and a subgroup for every 4th transfer.
    assert synthetic_records(DetaineeGroup).count() == 50
    assert synthetic_records(DetaineeGroup).filter(parent__isnull=False).count() == 10
    assert synthetic_records(Event).count() == 4
    assert synthetic_records(Statement).count() == 8

    kinds = set(synthetic_records(Actor).values_list("kind", flat=True))
    assert {"person", "government", "government_office", "criminal_organization"} <= kinds
    assert (
        synthetic_records(Actor).filter(kind="government_office", part_of__isnull=True).count() == 0
    )
    assert Designation.objects.filter(actor__slug__startswith="synthetic-").exists()
    assert AgreementParty.objects.filter(agreement__slug__startswith="synthetic-").count() == 20

    for transfer in synthetic_records(Transfer).prefetch_related("groups", "sent_by"):
        assert transfer.groups.exists()
        assert transfer.sent_by.exists()
        assert transfer.received_by.exists()
    for group in synthetic_records(DetaineeGroup).filter(parent__isnull=True):
        affiliations = list(group.alleged_affiliations.all())
        assert 1 <= len(affiliations) <= 2
        assert all(actor.kind == "criminal_organization" for actor in affiliations)
    for subgroup in synthetic_records(DetaineeGroup).filter(parent__isnull=False):
        # A subgroup is moved in the same transfer as the group it is part of.
        assert set(subgroup.transfers.all()) == set(subgroup.parent.transfers.all())


def test_synthetic_records_say_they_are_synthetic(synthetic):
    source = Source.objects.get(slug=SYNTHETIC_SOURCE_SLUG)
    assert source.title == SYNTHETIC_SOURCE_TITLE
    assert source.kind == Source.Kind.OTHER
    for model, field in [
        (Actor, "name"),
        (Facility, "name"),
        (Agreement, "title"),
        (Transfer, "title"),
        (DetaineeGroup, "name"),
        (Event, "title"),
        (Statement, "text"),
    ]:
        values = synthetic_records(model).values_list(field, flat=True)
        assert all(value.startswith("Synthetic") for value in values), model


def test_every_synthetic_record_cites_a_whole_paragraph_of_the_synthetic_source(synthetic):
    source = Source.objects.get(slug=SYNTHETIC_SOURCE_SLUG)
    for model in RECORD_KINDS:
        for record in synthetic_records(model).prefetch_related("citations"):
            [citation] = record.citations.all()
            assert citation.key.startswith("synthetic-")
            assert citation.source_id == source.pk
            assert citation.quote == source.paragraphs[citation.paragraph - 1]
            assert f"Synthetic paragraph {citation.paragraph}:" in citation.quote
            # The check save() runs, which bulk inserts skip, passes too.
            citation.source = source
            assert citation.quote_errors() == {}


def test_synthetic_records_pass_the_models_own_validation(synthetic):
    for model in [*RECORD_KINDS, Citation, Designation, AgreementParty]:
        rows = model.objects.all()
        if model in RECORD_KINDS:
            rows = synthetic_records(model)
        elif model is Citation:
            rows = rows.filter(key__startswith="synthetic-")
        for row in rows:
            row.full_clean()


def test_synthetic_counts_follow_the_stated_count_rule(db):
    synthesize(transfers=200)  # Enough for the word-only counts to appear.
    transfers = synthetic_records(Transfer)
    groups = synthetic_records(DetaineeGroup)
    for transfer in transfers:
        assert validate_stated_count(transfer.count, transfer.count_stated, "count") == {}
    for group in groups:
        assert validate_stated_count(group.size, group.size_stated, "size") == {}
    assert transfers.filter(count__isnull=True).exists()
    words_only = transfers.filter(count__isnull=True).values_list("count_stated", flat=True)
    assert not any(stated.isdigit() for stated in words_only)
    assert transfers.filter(count__isnull=False).exists()
    # Dates: mostly day-precise, some undated with the source's wording.
    undated = transfers.filter(date__isnull=True)
    assert undated.exists()
    assert all(transfer.date_stated for transfer in undated)
    assert transfers.filter(date__year__gte=2019, date__year__lte=2026).count() == (
        transfers.filter(date__isnull=False).count()
    )
    # A few drafts among them, so visibility is exercised at scale too.
    assert transfers.filter(publication_status="draft").exists()
    assert transfers.filter(publication_status="published").count() > 180


def test_synthesize_writes_a_history_row_for_each_record(synthetic):
    for model in [*RECORD_KINDS, Source]:
        records = synthetic_records(model)
        history = model.history.filter(slug__startswith="synthetic-")
        assert history.count() == records.count(), model
        assert set(history.values_list("history_change_reason", flat=True)) == {CHANGE_REASON}
    citations = Citation.objects.filter(key__startswith="synthetic-")
    assert Citation.history.filter(key__startswith="synthetic-").count() == citations.count()


def test_rare_search_term_appears_in_few_records(synthetic):
    assert Transfer.objects.filter(summary__contains=RARE_TOKEN).count() == 1
    assert Statement.objects.filter(text__contains=RARE_TOKEN).count() == 1
    assert not Transfer.objects.filter(title__contains=RARE_TOKEN).exists()


def test_the_same_random_seed_gives_the_same_records(db):
    synthesize(random_seed=7)
    first = list(synthetic_records(Transfer).order_by("slug").values_list("title", "count_stated"))
    synthesize(random_seed=7, replace=True)
    again = list(synthetic_records(Transfer).order_by("slug").values_list("title", "count_stated"))
    assert first == again


def test_synthesize_reports_what_it_created(db):
    output = synthesize(transfers=10)
    assert "cases_transfer " in output
    assert "Created" in output and "10 transfers" in output


def test_synthesize_refuses_to_run_twice_without_replace(synthetic):
    before = every_row()
    with pytest.raises(CommandError, match="Synthetic data is already present"):
        synthesize()
    assert every_row() == before


def test_synthesize_with_replace_removes_the_old_synthetic_data_first(synthetic):
    synthesize(transfers=20, replace=True)
    assert synthetic_records(Transfer).count() == 20
    assert Source.objects.filter(slug=SYNTHETIC_SOURCE_SLUG).count() == 1


def test_seed_is_untouched_by_synthesize_and_remove(seed):
    before = every_row()
    synthesize()
    during = every_row()
    for table, rows in before.items():
        seed_rows = {row[0]: row for row in rows}  # By primary key.
        assert {row[0]: row for row in during[table] if row[0] in seed_rows} == seed_rows, table
    remove_synthetic()
    assert every_row() == before


def test_remove_synthetic_empties_every_kind_referrers_first():
    # The order is worked out from the registry and the foreign keys: every
    # kind is in it, and every table comes before the tables it refers to.
    assert {kind.model for kind in KINDS} <= set(DELETE_ORDER)
    position = {model: index for index, model in enumerate(DELETE_ORDER)}
    for model in DELETE_ORDER:
        for field in model._meta.concrete_fields:
            parent = field.related_model if field.many_to_one else None
            if parent in position and parent is not model:
                assert position[model] < position[parent], field


def test_remove_synthetic_removes_every_synthetic_row_and_nothing_else(seed):
    before = every_row()
    synthesize()
    output = remove_synthetic()
    assert "Removed" in output
    assert every_row() == before
    for model in RECORD_KINDS:
        assert not model.history.filter(slug__startswith="synthetic-").exists()
    assert not Citation.history.filter(key__startswith="synthetic-").exists()
    # No row is left pointing at a removed one.
    connection.check_constraints()


def test_remove_synthetic_also_removes_history_of_synthetic_records_edited_since(synthetic):
    transfer = synthetic_records(Transfer).first()
    transfer.title = "Synthetic transfer edited by an editor"
    transfer.save()
    remove_synthetic()
    assert not Transfer.history.exists()


def test_remove_synthetic_says_so_when_there_is_nothing_to_remove(db):
    assert "No synthetic data found" in remove_synthetic()


@pytest.mark.parametrize(
    "refer_to_synthetic",
    [
        pytest.param(
            lambda: make_transfer(
                slug="real-transfer", destination=synthetic_records(Facility).first()
            ),
            id="transfer-destination",
        ),
        pytest.param(
            lambda: make_statement(slug="real-statement", speaker=synthetic_records(Actor).first()),
            id="statement-speaker",
        ),
        pytest.param(
            lambda: make_citation(
                synthetic_records(Transfer).first(), source=make_source(), key="real-citation"
            ),
            id="citation-of-a-synthetic-record",
        ),
    ],
)
def test_remove_synthetic_stops_when_a_real_record_refers_to_a_synthetic_one(
    synthetic, refer_to_synthetic
):
    refer_to_synthetic()
    before = every_row()
    with pytest.raises(CommandError) as raised:
        remove_synthetic()
    message = str(raised.value)
    assert "Nothing was removed" in message
    assert "“real-" in message and "“synthetic-" in message
    assert every_row() == before


def test_removal_names_the_real_record_and_the_synthetic_one_it_refers_to(synthetic):
    facility = synthetic_records(Facility).first()
    make_transfer(slug="real-transfer", destination=facility)
    with pytest.raises(CommandError) as raised:
        remove_synthetic()
    assert f"transfer “real-transfer” has destination facility “{facility.slug}”" in str(
        raised.value
    )


def test_remove_synthetic_unlinks_a_real_record_from_a_synthetic_one(synthetic):
    group = synthetic_records(DetaineeGroup).first()
    transfer = make_transfer(slug="real-transfer", groups=[group])
    output = remove_synthetic()
    assert "Removed 1 Transfer.groups links between a real and a synthetic record" in output
    transfer.refresh_from_db()
    assert list(transfer.groups.all()) == []


@pytest.mark.parametrize("transfers", ["0", "-5", "many"])
def test_synthesize_rejects_a_transfer_count_that_is_not_a_positive_number(db, transfers):
    with pytest.raises(CommandError, match="expected a whole number of 1 or more"):
        call_command("synthesize", "--transfers", transfers, stdout=StringIO())
    assert not Transfer.objects.exists()


def test_synthesize_and_remove_refresh_the_planners_statistics(db):
    # SQLite gathers no statistics by itself: at 100,000 transfers, without
    # them, an export read each transfer's groups by scanning every group.
    with CaptureQueriesContext(connection) as loading:
        synthesize()
    statements = [query["sql"] for query in loading.captured_queries]
    # After the last row is written.
    assert "ANALYZE" in statements
    assert not any(sql.startswith("INSERT") for sql in statements[statements.index("ANALYZE") :])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tbl FROM sqlite_stat1")
            analyzed = {row[0] for row in cursor.fetchall()}
        assert {"cases_transfer", "cases_transfer_groups", "cases_detaineegroup"} <= analyzed
    with CaptureQueriesContext(connection) as removing:
        remove_synthetic()
    assert any(query["sql"] == "ANALYZE" for query in removing.captured_queries)
