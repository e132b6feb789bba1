"""`load_seed --update` on a database loaded from the seed before issue 22
(tests/fixtures/seed_before_issue_22.json): it reaches the new seed through
the corrections log, and leaves what an editor corrected since alone."""

import html
import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from cases.history import ChangeKind
from cases.models import Agreement, Event, Facility, HistoricalEvent, Source
from tests.test_seed import table_contents

pytestmark = pytest.mark.django_db

BEFORE = Path(__file__).parent / "fixtures" / "seed_before_issue_22.json"
SEED = Path(__file__).parent.parent / "fixtures" / "seed.json"
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
    log = " ".join(page_text(client, f"/corrections/?page={number}") for number in range(1, 6))

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


# What this seed adds to the one before it (issue 23): the Spanish of the
# inference reasons, of the inferred date's reason and of the sources'
# descriptions.
SPANISH_ADDED = ("inferences_es", "date_inference_es")


def seed_without_the_spanish_reasons(folder):
    """fixtures/seed.json as it was before the Spanish reasons and sources'
    descriptions were written."""
    entries = json.loads(SEED.read_text(encoding="utf-8"))
    for entry in entries:
        fields = entry["fields"]
        for name in SPANISH_ADDED:
            fields.pop(name, None)
        if entry["model"] == "cases.source":
            fields.pop("description_es", None)
    path = folder / "seed_before_the_spanish_reasons.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_spanish_reasons_arrive_as_a_public_update_leaving_an_editors_spanish(client, tmp_path):
    call_command("load_seed", seed=seed_without_the_spanish_reasons(tmp_path), verbosity=0)
    editor = get_user_model().objects.create_user(username="translator")
    white_house = Facility.objects.get(slug="white-house")
    white_house.inferences_es = {"kind": "La traducción propia de la redacción (ficticia)."}
    white_house._change_reason = "Spanish of the reason"
    white_house._change_kind = ChangeKind.UPDATE
    white_house._history_user = editor
    white_house.save()

    output = update()

    andrews = Facility.objects.get(slug="joint-base-andrews")
    assert andrews.inferences_es["kind"].startswith("El artículo da solo su nombre")
    latest = andrews.history.first()
    assert latest.history_change_kind == ChangeKind.UPDATE
    assert latest.history_change_reason.startswith("Seed revision: The newsroom's Spanish version")
    assert latest.history_is_public_change
    meeting = Event.objects.get(slug="white-house-meeting-april-14")
    assert meeting.date_inference_es.startswith("El artículo no da el año")
    article = Source.objects.get(slug="article-bukele-white-house-visit")
    assert article.description_es.startswith("Un artículo en inglés")
    # The editor's own Spanish is theirs.
    white_house.refresh_from_db()
    assert white_house.inferences_es == {"kind": "La traducción propia de la redacción (ficticia)."}
    assert "facility:white-house; kept the newsroom's correction of Inferences in Spanish" in output
    # Public, with its reason, on the log.
    log = page_text(client, "/corrections/")
    assert "The newsroom's Spanish version of its own wording" in log
