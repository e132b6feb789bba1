"""`load_seed --update` on a database loaded from the seed before issue 22
(tests/fixtures/seed_before_issue_22.json): it reaches the new seed through
the corrections log, and leaves what an editor corrected since alone."""

import html
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from cases.history import ChangeKind
from cases.models import Agreement, Event, HistoricalEvent
from tests.test_seed import table_contents

pytestmark = pytest.mark.django_db

BEFORE = Path(__file__).parent / "fixtures" / "seed_before_issue_22.json"
COOPERATION = "/events/cooperation-el-salvador-united-states/"


def load_before():
    call_command("load_seed", seed=BEFORE, verbosity=0)


def update():
    out = io.StringIO()
    call_command("load_seed", update=True, stdout=out)
    return out.getvalue()


def records_only(contents):
    return {label: rows for label, rows in contents.items() if ".Historical" not in label}


def page_text(client, url):
    body = client.get(url).content.decode()
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_update_brings_a_database_seeded_before_to_exactly_the_new_seed():
    with transaction.atomic():
        call_command("load_seed", verbosity=0)
        fresh = records_only(table_contents())
        transaction.set_rollback(True)
    load_before()
    assert Agreement.objects.filter(slug="military-cooperation").exists()

    update()

    assert records_only(table_contents()) == fresh
    # Nothing left of the cooperation among the agreements, not even a draft.
    assert not Agreement.objects.filter(title__icontains="cooperation").exists()


def test_each_change_is_public_on_the_corrections_log_with_its_reason(client):
    load_before()
    update()

    # The log's first pages (25 entries each): the Spanish versions the
    # update writes are revisions too.
    log = " ".join(page_text(client, f"/corrections/?page={number}") for number in (1, 2, 3))

    # The cooperation left the agreements, and the reader is told why.
    assert "Withdrawn" in log
    assert "never of an agreement (paragraphs 9 and 20)" in log
    assert "Kind of record: Agreement (/agreements/military-cooperation/) → Event" in log
    # The scheduled meeting's new title, before and after, with its reason.
    assert (
        "Title: Bukele meets Trump at the White House → "
        "Bukele to meet Trump at the White House on Monday, April 14 (scheduled)"
    ) in log
    assert "the article reports it as scheduled for this Monday, April 14" in log
    # Who makes the claim, added as a correction of its own.
    assert "Claimed by: (empty) → CBS News" in log
    # Statements the article holds and the tracker had not recorded.
    assert "Paragraph 1 says Trump “expressed his interest”" in log
    # The P20 quote that names no gang no longer supports a designation.
    assert "names none; its quote no longer stands as support" in log


def test_the_old_address_of_a_record_that_moved_kind_redirects_permanently(client):
    load_before()
    update()

    response = client.get("/agreements/military-cooperation/")

    assert response.status_code == 301
    assert response["Location"] == COOPERATION
    assert client.get(COOPERATION).status_code == 200
    assert "Cooperation between" not in page_text(client, "/agreements/")
    # An address that never held a record is still a 404.
    assert client.get("/agreements/no-such-record/").status_code == 404


def test_update_leaves_an_editors_later_correction_alone():
    load_before()
    editor = get_user_model().objects.create_user(username="editor")
    meeting = Event.objects.get(slug="white-house-meeting-april-14")
    meeting.summary = "The newsroom's corrected summary of the visit."
    meeting._change_reason = "Shortened after a reader's note"
    meeting._change_kind = ChangeKind.CLARIFICATION
    meeting._history_user = editor
    meeting.save()

    output = update()

    meeting.refresh_from_db()
    assert meeting.summary == "The newsroom's corrected summary of the visit."
    # The fields the editor did not touch still follow the seed.
    assert meeting.title.startswith("Bukele to meet Trump at the White House")
    assert "kept the newsroom's correction of Summary" in output


def test_a_second_update_changes_nothing():
    load_before()
    update()
    rows = HistoricalEvent.objects.count()

    update()

    assert HistoricalEvent.objects.count() == rows


def test_update_of_a_database_already_at_the_seed_changes_nothing(seed):
    rows = HistoricalEvent.objects.count()

    output = update()

    assert HistoricalEvent.objects.count() == rows
    assert "revised" not in output
