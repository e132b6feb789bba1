"""The data package at /data/, through HTTP: it validates with `frictionless
validate`, holds the published records only, is built once per data version
and keeps the last few versions."""

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.kinds import KINDS
from cases.models import Statement
from tests.factories import make_actor, make_citation, make_facility, make_statement, make_transfer
from tests.test_corrections import correct

pytestmark = pytest.mark.django_db

FRICTIONLESS = Path(sys.executable).parent / "frictionless"


@pytest.fixture(autouse=True)
def package_dir(settings, tmp_path):
    settings.DATA_PACKAGE_DIR = tmp_path / "packages"
    return settings.DATA_PACKAGE_DIR


def download(client, folder):
    """The package as a client gets it: the descriptor, then each resource at
    the path it names, laid out as those paths say."""
    response = client.get("/data/datapackage.json")
    assert response.status_code == 200
    descriptor = response.json()
    for resource in descriptor["resources"]:
        file = client.get(f"/data/{resource['path']}")
        assert file.status_code == 200, resource["path"]
        target = folder / resource["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"".join(file.streaming_content))
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    return descriptor


def read_csv(folder, descriptor, name):
    (resource,) = [r for r in descriptor["resources"] if r["name"] == name]
    with (folder / resource["path"]).open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_the_downloaded_package_passes_frictionless_validate(client, seed, tmp_path):
    descriptor = download(client, tmp_path / "download")
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
        cwd=tmp_path / "download",
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report["tasks"], indent=1)[:3000]
    assert result.returncode == 0
    names = {resource["name"] for resource in descriptor["resources"]}
    assert names == {kind.url_prefix for kind in KINDS} | {"citations", "corrections"}
    # Foreign keys between the tables, which the validation checked.
    (transfers,) = [r for r in descriptor["resources"] if r["name"] == "transfers"]
    references = {
        key["fields"][0]: key["reference"]["resource"] for key in transfers["schema"]["foreignKeys"]
    }
    assert references["destination_url"] == "facilities"
    assert transfers["schema"]["primaryKey"] == ["slug"]


def test_a_broken_foreign_key_would_fail_validation(client, db, tmp_path):
    """The check above has teeth: a transfer pointing at a facility that is
    not in the package is an error frictionless reports."""
    make_transfer(destination=make_facility(slug="cecot"))
    folder = tmp_path / "download"
    descriptor = download(client, folder)
    (facilities,) = [r for r in descriptor["resources"] if r["name"] == "facilities"]
    (folder / facilities["path"]).write_text(
        (folder / facilities["path"]).read_text().replace("/facilities/cecot/", "/facilities/x/")
    )
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert not json.loads(result.stdout)["valid"]


def test_the_package_names_its_licence_and_sources_and_holds_no_draft(client, seed, tmp_path):
    draft = make_statement(text="Unpublished words, zanzibarish.", publication_status="draft")
    folder = tmp_path / "download"
    descriptor = download(client, folder)
    assert descriptor["licenses"][0]["name"]
    assert any("Bukele" in source["title"] for source in descriptor["sources"])
    everything = "".join(path.read_text() for path in folder.rglob("*.csv"))
    assert "zanzibarish" not in everything and draft.slug not in everything
    statements = read_csv(folder, descriptor, "statements")
    assert {row["slug"] for row in statements} == set(
        Statement.objects.published().values_list("slug", flat=True)
    )
    citations = read_csv(folder, descriptor, "citations")
    assert citations and all(row["selector_exact"] == row["quote"] for row in citations)


def test_each_kinds_csv_is_its_tables_csv_export(client, seed, tmp_path):
    folder = tmp_path / "download"
    descriptor = download(client, folder)
    export = client.get("/transfers/?_export=csv&sort=slug")
    exported = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    packaged = read_csv(folder, descriptor, "transfers")
    assert sorted(packaged, key=lambda row: row["slug"]) == sorted(
        exported, key=lambda row: row["slug"]
    )


def test_corrections_are_in_the_package(client, db, tmp_path):
    actor = make_actor(name="A minister")
    make_citation(actor)
    correct(actor, "The source gives her title", role="Vice-minister")
    folder = tmp_path / "download"
    descriptor = download(client, folder)
    (row,) = read_csv(folder, descriptor, "corrections")
    assert row["reason"] == "The source gives her title"
    assert row["record_slug"] == actor.slug
    assert "Vice-minister" in row["changes"]


def test_a_version_is_built_once_and_the_last_few_are_kept(client, db, settings, package_dir):
    settings.DATA_PACKAGES_KEPT = 2
    statement = make_statement()
    first = client.get("/data/datapackage.json")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/data/datapackage.json")
    assert again.content == first.content
    # The second request reads the version and the built files: no rows.
    assert len(queries) <= 2, [q["sql"] for q in queries]
    versions = []
    for words in ("Second words.", "Third words.", "Fourth words."):
        correct(statement, "As said", text=words)
        versions.append(client.get("/data/datapackage.json").json()["version"])
    assert len(set(versions)) == 3
    assert sorted(folder.name for folder in package_dir.iterdir() if folder.is_dir()) == sorted(
        versions[-2:]
    )
    # An old version's files are gone, with a clear 404; the kept ones serve.
    old = first.json()["resources"][0]["path"]
    assert client.get(f"/data/{old}").status_code == 404
    kept = client.get("/data/datapackage.json").json()["resources"][0]["path"]
    assert client.get(f"/data/{kept}").status_code == 200


def test_the_zip_holds_the_descriptor_and_every_csv(client, seed):
    version = client.get("/data/datapackage.json").json()["version"]
    response = client.get(f"/data/tracker-{version}.zip")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = {Path(name).name for name in bundle.namelist()}
    assert "datapackage.json" in names
    assert {f"{kind.url_prefix}.csv" for kind in KINDS} <= names
    assert client.get("/data/tracker-latest.zip").status_code == 200
    assert client.get("/data/tracker-19990101T000000000000-nothing.zip").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/data/tracker-" + "a" * 300 + ".zip",
        "/data/" + "a" * 300 + "/datapackage.json",
        "/data/latest/" + "a" * 300 + ".csv",
        "/data/../datapackage.json",
    ],
)
def test_a_version_or_file_name_no_package_has_is_a_404_however_long(client, seed, url):
    # Names longer than the file system allows were looked up on disk, which
    # raised: a 500 (make fuzz).
    client.get("/data/datapackage.json")
    assert client.get(url).status_code == 404


def test_the_command_builds_the_current_version(db, package_dir):
    make_statement()
    out = io.StringIO()
    call_command("build_datapackage", "--base-url", "https://tracker.example.org", stdout=out)
    (folder,) = [folder for folder in package_dir.iterdir() if folder.is_dir()]
    assert folder.name in out.getvalue()
    descriptor = json.loads((folder / "datapackage.json").read_text())
    statements = (folder / "statements.csv").read_text()
    assert "https://tracker.example.org/statements/" in statements
    assert descriptor["resources"][0]["path"] == "agreements.csv"


def test_a_large_database_never_builds_its_package_within_a_request(client, db, settings):
    """Past DATA_PACKAGE_REQUEST_MAX_ROWS published records a request serves
    the latest package built, or a 503 with Retry-After while none is; the
    command builds the current one (a build took 20 minutes at 100,000
    transfers: no request may hold a worker that long)."""
    make_statement()
    make_statement()
    settings.DATA_PACKAGE_REQUEST_MAX_ROWS = 1
    for url in (
        "/data/datapackage.json",
        "/data/latest/statements.csv",
        "/data/tracker-latest.zip",
    ):
        response = client.get(url)
        assert response.status_code == 503, url
        assert int(response["Retry-After"]) > 0
    call_command("build_datapackage", stdout=io.StringIO())
    built = client.get("/data/datapackage.json").json()["version"]
    make_statement()
    # The data changed; the package of the last build is served, named by its version.
    assert client.get("/data/datapackage.json").json()["version"] == built
    settings.DATA_PACKAGE_REQUEST_MAX_ROWS = 1000
    assert client.get("/data/datapackage.json").json()["version"] != built
