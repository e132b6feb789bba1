"""A large export takes one of the server's EXPORT_SLOTS before it streams
(cases/export_slots.py), so exports cannot take every worker from the
readers of pages: past the slots it gets a 503 that says to try again."""

import pytest

from cases import export_slots
from tests.factories import make_transfer

EXPORT = {"_export": "csv"}


@pytest.fixture
def one_slot(settings, tmp_path):
    # Every export here is a large one: more rows than EXPORT_SLOT_ROWS.
    settings.EXPORT_SLOT_ROWS = 2
    settings.EXPORT_SLOTS = 1
    settings.EXPORT_SLOTS_DIR = str(tmp_path)


@pytest.fixture
def transfers(db):
    return [make_transfer(title=f"Fictional transfer {number}") for number in range(3)]


def test_an_export_is_refused_with_a_503_while_every_slot_is_taken(
    client, one_slot, settings, transfers
):
    held = export_slots.take_slot()
    assert held is not None
    response = client.get("/transfers/", EXPORT)
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.EXPORT_TIME_LIMIT_S)
    assert response["Content-Type"].startswith("text/plain")
    assert "Too many exports are running" in response.content.decode()
    held.release()
    response = client.get("/transfers/", EXPORT)
    assert response.status_code == 200
    assert b"Fictional transfer 2" in b"".join(response.streaming_content)


def test_a_finished_export_gives_its_slot_back(client, one_slot, transfers):
    for _ in range(3):
        response = client.get("/transfers/", {"_export": "json"})
        assert response.status_code == 200
        b"".join(response.streaming_content)  # the test client closes it at the end
    assert export_slots.take_slot() is not None


def test_an_export_the_reader_leaves_gives_its_slot_back(client, one_slot, transfers):
    # The server closes the response when the reader goes away mid-stream.
    response = client.get("/transfers/", EXPORT)
    assert next(iter(response.streaming_content))
    assert export_slots.take_slot() is None
    response.close()
    assert export_slots.take_slot() is not None


def test_an_export_of_a_few_rows_needs_no_slot(client, one_slot, settings, transfers):
    settings.EXPORT_SLOT_ROWS = 3
    held = export_slots.take_slot()
    response = client.get("/transfers/", EXPORT)
    assert response.status_code == 200
    assert response.slot is None
    held.release()


def test_slots_are_shared_by_every_thread_and_process_of_the_server(one_slot, settings):
    # Each take opens its own lock file description, as another thread or
    # worker would: the second finds the slot taken.
    settings.EXPORT_SLOTS = 2
    first, second = export_slots.take_slot(), export_slots.take_slot()
    assert first is not None and second is not None
    assert export_slots.take_slot() is None
    first.release()
    assert export_slots.take_slot() is not None


def test_by_default_each_site_and_database_has_its_own_slots(settings):
    settings.EXPORT_SLOTS_DIR = ""
    mine = export_slots.slot_directory()
    settings.DATABASES = {"default": {**settings.DATABASES["default"], "NAME": "another"}}
    assert export_slots.slot_directory() != mine
