"""The eight kinds of record are named once, in cases/kinds.py, and every
surface loops over that registry: adding a kind there without it reaching the
navigation, search, tables, exports, timeline or dossier fails here."""

import ast
import json
from pathlib import Path

import pytest
from django.urls import reverse

from cases.kinds import KINDS, KINDS_BY_MODEL
from tests.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
MODEL_NAMES = {kind.model.__name__ for kind in KINDS}
# A literal naming this many of the kinds is a hand-written list of them.
HAND_WRITTEN_LIST = 5
# Lists of models that are not lists of the kinds, as (file, name), with why.
NOT_KIND_LISTS = set()


def test_every_kind_is_in_the_navigation(client, seed):
    html = client.get("/").content.decode()
    for kind in KINDS:
        assert f'href="{reverse(f"cases:{kind.name}_list")}"' in html, kind.name


def test_every_kind_has_a_table_exports_and_record_pages(client, seed):
    for kind in KINDS:
        table = client.get(f"/{kind.url_prefix}/")
        assert table.status_code == 200, kind.name
        assert table.context["page_title"] == kind.title
        for export_format in ("csv", "json"):
            export = client.get(f"/{kind.url_prefix}/", {"_export": export_format})
            assert export.status_code == 200, (kind.name, export_format)
            assert export.streaming
            b"".join(export.streaming_content)
        rows = json.loads(
            b"".join(client.get(f"/{kind.url_prefix}/?_export=json").streaming_content)
        )
        record = kind.model.objects.first()
        assert record.slug in {row["slug"] for row in rows}, kind.name
        assert client.get(record.get_absolute_url()).status_code == 200


def test_every_kind_is_searched(client, seed):
    response = client.get("/search/", {"q": "zzzz-nothing-matches"})
    searched = {str(kind["label"]) for kind in response.context["kinds_not_found"]}
    assert searched == {str(kind.label_plural) for kind in KINDS}


def test_timeline_kinds_are_on_the_timeline(client, seed):
    html = client.get("/timeline/").content.decode()
    for kind in KINDS:
        records = kind.model.objects.all()
        on_timeline = [
            record for record in records if f'href="{record.get_absolute_url()}"' in html
        ]
        assert bool(on_timeline) == kind.on_timeline, kind.name


def test_dossier_kinds_have_a_section_in_the_dossier(brief_client, seed):
    text = pdf_text(brief_client.get("/dossier.pdf"))
    for kind in KINDS:
        if kind.in_dossier:
            assert str(kind.dossier_title or kind.title) in text, kind.name


def test_every_model_with_a_page_is_a_kind():
    from django.apps import apps

    with_pages = {
        model
        for model in apps.get_app_config("cases").get_models()
        if getattr(model, "detail_url_name", "")
    }
    assert with_pages == set(KINDS_BY_MODEL)


def test_no_hand_written_list_of_the_kinds_remains():
    """Outside the registry, no tuple, list or set literal names most of the
    kinds' models: such a list is where a kind gets forgotten."""
    found = []
    for path in [
        *ROOT.glob("cases/**/*.py"),
        *ROOT.glob("bench/**/*.py"),
        *ROOT.glob("tests/**/*.py"),
        *ROOT.glob("tracker/*.py"),
    ]:
        relative = path.relative_to(ROOT).as_posix()
        if relative == "cases/kinds.py" or "/migrations/" in relative:
            continue
        tree = ast.parse(path.read_text())
        allowed = {name for file, name in NOT_KIND_LISTS if file == relative}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id in allowed for target in node.targets
            ):
                node.value.allowed = True
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and not getattr(
                node, "allowed", False
            ):
                names = {element.id for element in node.elts if isinstance(element, ast.Name)}
                if len(names & MODEL_NAMES) >= HAND_WRITTEN_LIST:
                    found.append(f"{relative}:{node.lineno}")
    assert found == []
