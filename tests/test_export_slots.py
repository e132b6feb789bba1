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


# --- Bounded by size, not rows (issue 28, point 2) --------------------------------
# A table of five sources, one quoted 255,750 times, streamed for 23-28 s and
# about 1 GB without a slot: its rows were few. What an export weighs is its
# rows and the quotes they carry; past the time limit it is cut, and says so,
# whatever its number of rows.


def quote_many(source, transfer, number):
    from cases.models import Citation

    Citation.objects.bulk_create(
        Citation(source=source, transfer=transfer, quote="Second paragraph, quoted below.")
        for _ in range(number)
    )


@pytest.fixture
def heavy_source(db):
    from tests.factories import make_source

    source = make_source(slug="heavily-quoted")
    quote_many(source, make_transfer(), 40)
    return source


@pytest.mark.parametrize("export", ["csv", "json", "citations.csv"])
def test_a_one_row_export_of_a_heavily_quoted_source_takes_a_slot(
    client, settings, tmp_path, heavy_source, export
):
    settings.EXPORT_SLOT_ROWS = 30
    settings.EXPORT_SLOTS = 1
    settings.EXPORT_SLOTS_DIR = str(tmp_path)
    held = export_slots.take_slot()
    response = client.get("/sources/", {"_export": export})
    assert response.status_code == 503
    held.release()
    response = client.get("/sources/", {"_export": export})
    assert response.status_code == 200
    assert export_slots.take_slot() is None  # it holds the one slot while it streams
    b"".join(response.streaming_content)
    response.close()


def test_a_one_row_export_of_a_lightly_quoted_source_needs_no_slot(
    client, settings, tmp_path, heavy_source
):
    settings.EXPORT_SLOT_ROWS = 50
    settings.EXPORT_SLOTS = 1
    settings.EXPORT_SLOTS_DIR = str(tmp_path)
    held = export_slots.take_slot()
    response = client.get("/sources/", {"_export": "json"})
    assert response.status_code == 200
    held.release()


def test_the_table_of_a_sources_quotes_takes_a_slot_past_the_rows(
    client, settings, tmp_path, heavy_source
):
    settings.EXPORT_SLOT_ROWS = 30
    settings.EXPORT_SLOTS = 1
    settings.EXPORT_SLOTS_DIR = str(tmp_path)
    held = export_slots.take_slot()
    response = client.get("/citations/", {"source": heavy_source.slug, "_export": "csv"})
    assert response.status_code == 503
    held.release()


class SteppingClock:
    """time.monotonic() for the exports: one second later at each call."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        self.now += 1
        return self.now


@pytest.mark.parametrize(
    "url",
    [
        "/citations/?source=heavily-quoted&_export=csv",
        "/sources/?_export=citations.csv",
    ],
)
def test_an_export_of_few_heavy_rows_is_cut_at_the_time_limit_saying_so(
    client, settings, monkeypatch, heavy_source, url
):
    settings.EXPORT_TIME_LIMIT_S = 10
    settings.RECORD_LIST_LIMIT = 100
    monkeypatch.setattr("cases.exports.time.monotonic", SteppingClock())
    response = client.get(url)
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[-1].startswith('"# Export incomplete: it stopped after ') or lines[-1].startswith(
        "# Export incomplete: it stopped after "
    )
    # Cut within the limit's worth of quotes, not after the heavy row's 40.
    assert len(lines) < 1 + 40
