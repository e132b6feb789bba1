"""CSV exports open in a spreadsheet as text, whatever a record's words begin
with: every character that makes a spreadsheet read a cell as a formula
(OWASP, "CSV Injection") is escaped, in every text column, through the HTTP
export itself (so a rewrite of the exports keeps the guarantee)."""

import csv
import io

import pytest

from .factories import make_actor, make_group, make_statement, make_transfer

pytestmark = pytest.mark.django_db

FORMULA_PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
PAYLOAD = "cmd|'/C calc'!A0"


def export_rows(client, url):
    response = client.get(url, {"_export": "csv"})
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def row_for(rows, slug):
    matching = [row for row in rows if row["slug"] == slug]
    assert len(matching) == 1, slug
    return matching[0]


def assert_opens_as_text(cell, written):
    # Escaped with a leading apostrophe, the words kept whole after it.
    assert cell == f"'{written}", repr(cell)


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=repr)
def test_every_formula_prefix_is_escaped_in_every_text_column(client, prefix):
    text = f"{prefix}{PAYLOAD}"
    make_actor(slug="actor-x", name=text, role=text, country=text)
    make_statement(slug="statement-x", text=text, speaker=make_actor(name="Plain Speaker"))
    make_transfer(slug="transfer-x", title=text, count_stated=text)
    make_group(slug="group-x", name=text, accusation=text)

    actor = row_for(export_rows(client, "/actors/"), "actor-x")
    for column in ("name", "role", "country"):
        assert_opens_as_text(actor[column], text)
    statement = row_for(export_rows(client, "/statements/"), "statement-x")
    assert_opens_as_text(statement["text"], text)
    transfer = row_for(export_rows(client, "/transfers/"), "transfer-x")
    assert_opens_as_text(transfer["title"], text)
    assert_opens_as_text(transfer["count_stated"], text)
    group = row_for(export_rows(client, "/detainee-groups/"), "group-x")
    assert_opens_as_text(group["name"], text)
    assert_opens_as_text(group["accusation"], text)


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=repr)
def test_a_related_records_name_is_escaped_too(client, prefix):
    speaker = make_actor(name=f"{prefix}{PAYLOAD}")
    make_statement(slug="statement-y", speaker=speaker)
    statement = row_for(export_rows(client, "/statements/"), "statement-y")
    assert_opens_as_text(statement["speaker"], f"{prefix}{PAYLOAD}")


def test_words_with_a_formula_character_inside_are_left_alone(client):
    make_actor(slug="inside", name="Ministry of Security = Justice", role="co-chair")
    actor = row_for(export_rows(client, "/actors/"), "inside")
    assert actor["name"] == "Ministry of Security = Justice"
    assert actor["role"] == "co-chair"
