"""The README's "API and data" section works as written: each `curl`
command against a live server holding the seed (its address put in for
`make run`'s), and its `manage.py` command in a fresh clone."""

import json
import re
import subprocess

import pytest
from django.conf import settings

from cases.models import ApiToken
from tests import seed_copy
from tests.test_readme_commands import fresh_clone_env, readme_commands, run  # noqa: F401

SECTION = "API and data"
README_ADDRESS = "http://127.0.0.1:8000"


def curl_commands():
    readme = (settings.BASE_DIR / "README.md").read_text()
    sections = re.split(r"^(## .+)$", readme, flags=re.M)
    (body,) = [
        body
        for title, body in zip(sections[1::2], sections[2::2], strict=True)
        if title.lstrip("#").strip() == SECTION
    ]
    blocks = re.findall(r"```sh\n(.*?)```", body, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("curl ")]


def test_the_section_shows_a_curl_command_for_each_way_out():
    commands = " ".join(curl_commands())
    for path in ("/api/v1/statements/", "/api/v1/corrections/", "/api/v1/openapi.json"):
        assert path in commands
    for path in ("/data/datapackage.json", "/data/tracker-latest.zip", "/reconcile"):
        assert path in commands
    assert "Authorization: Bearer" in commands and "ld+json" in commands


@pytest.mark.django_db(transaction=True)
def test_every_curl_command_in_the_section_works_as_written(live_server, tmp_path, settings):
    settings.DATA_PACKAGE_DIR = tmp_path / "packages"
    seed_copy.load_seed()
    token = ApiToken(name="README", role="editor")
    secret = token.issue()
    token.save()
    for command in curl_commands():
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command.replace(README_ADDRESS, live_server.url)],
            cwd=tmp_path,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "TRACKER_TOKEN": secret},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{command}\n{result.stdout[:500]}\n{result.stderr}"
        output = result.stdout.strip()
        if "-o " in command:
            assert (tmp_path / "tracker.zip").stat().st_size > 0
        elif "ld+json" in command:
            document = json.loads(re.sub(r"</?script[^>]*>", "", output))
            assert document["@type"] == "Person"
        elif "next_url" in command:
            assert output.startswith(live_server.url)
        else:
            body = json.loads(output)
            assert body.get("ok", True) is not False, command
        if "query" in command:
            assert body["q0"]["result"][0]["name"] == "Nayib Bukele"


# Its commands run on a SQLite file of their own, whatever DATABASE_URL says
# (fresh_clone_env): CI runs it once (tests/conftest.py).
@pytest.mark.database_agnostic
def test_the_sections_manage_py_command_runs_as_written(fresh_clone_env, tmp_path):  # noqa: F811
    commands = readme_commands(SECTION)
    assert any("build_datapackage" in command for command in commands)
    env = {**fresh_clone_env, "DATA_PACKAGE_DIR": str(tmp_path / "packages")}
    migrate = run(".venv/bin/python manage.py migrate --noinput", env)
    assert migrate.returncode == 0, migrate.stderr
    for command in commands:
        result = run(command, env)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert list((tmp_path / "packages").glob("*/datapackage.json"))
