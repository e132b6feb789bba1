"""Settings come from the environment and fail loudly where a default would be unsafe."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


def import_settings_with(env, env_file="/nonexistent/.env"):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import tracker.settings as s; print(s.DEBUG, s.SECRET_KEY)",
        ],
        env={**clean, "TRACKER_ENV_FILE": str(env_file), **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_missing_secret_key_without_debug_is_an_error_that_says_what_to_set():
    result = import_settings_with({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_runs_without_a_secret_key():
    assert import_settings_with({"DEBUG": "1"}).returncode == 0


def test_an_unrecognised_boolean_is_an_error_not_false():
    result = import_settings_with({"DEBUG": "maybe", "SECRET_KEY": "x"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def write_dev_env_file(tmp_path):
    """The `.env` that `make run` writes, written by make itself."""
    env_file = tmp_path / ".env"
    subprocess.run(
        ["make", "-s", f"ENV_FILE={env_file}", str(env_file)],
        cwd=settings.BASE_DIR,
        check=True,
        capture_output=True,
    )
    return env_file


def test_the_development_env_file_lets_manage_py_run_without_variables(tmp_path):
    env_file = write_dev_env_file(tmp_path)
    text = env_file.read_text()
    assert "DEBUG=1" in text
    key = text.split("SECRET_KEY=")[1].strip()
    assert len(key) >= 50
    result = import_settings_with({}, env_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", key]


def test_production_ignores_the_env_file_and_still_needs_a_secret_key(tmp_path):
    env_file = write_dev_env_file(tmp_path)
    result = import_settings_with({"DEBUG": "0"}, env_file)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_an_env_file_that_does_not_turn_debug_on_is_not_read(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=0\nSECRET_KEY=from-a-stray-file\n")
    result = import_settings_with({}, env_file)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = write_dev_env_file(tmp_path)
    result = import_settings_with({"DEBUG": "1", "SECRET_KEY": "from-the-environment"}, env_file)
    assert result.stdout.split() == ["True", "from-the-environment"]


def test_the_env_file_is_never_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=settings.BASE_DIR, check=False
    )
    assert ignored.returncode == 0


@pytest.mark.django_db
def test_postgresql_cancels_statements_that_run_too_long():
    if connection.vendor != "postgresql":
        pytest.skip("statement timeout applies to PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5s"
        # Compiling a page's query took longer than running it (docs/performance.md).
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
