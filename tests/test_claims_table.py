"""docs/claims.md tables the article's 56 claims with the record and citation
key carrying each: every one it names is in the seed, with the quote in the
paragraph the table gives."""

import json
import re
from pathlib import Path

from cases.management.commands.load_seed import SEED_PATH

TABLE = Path(__file__).resolve().parent.parent / "docs" / "claims.md"


def rows():
    lines = TABLE.read_text("utf-8").splitlines()
    return [line for line in lines if re.match(r"\| \d+ \|", line)]


def test_the_claims_table_names_only_citations_and_records_the_seed_holds():
    seed = json.loads(SEED_PATH.read_text("utf-8"))
    citations = {o["fields"]["key"]: o["fields"] for o in seed if o["model"] == "cases.citation"}
    slugs = {o["fields"]["slug"] for o in seed if "slug" in o["fields"]}
    table = rows()
    assert [int(row.split("|")[1]) for row in table] == list(range(1, 57))
    for row in table:
        _, number, paragraph, _claim, records, keys, _ = row.split("|")
        named = re.findall(r"`([^`]+)`", keys)
        assert named, number
        full = [key for key in named if not key.startswith("-")]
        for key in full:
            assert key in citations, f"claim {number}: {key}"
        # The first key's quote is in the paragraph the row gives.
        assert citations[full[0]]["paragraph"] == int(paragraph), f"claim {number}"
        for slug in re.findall(r"`([^`]+)`", records):
            assert slug in slugs, f"claim {number}: {slug}"
