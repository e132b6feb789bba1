"""Settings come from the environment and fail loudly where a default would be unsafe."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


def import_settings_with(env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import tracker.settings"],
        env={**clean, **env},
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


@pytest.mark.django_db
def test_postgresql_cancels_statements_that_run_too_long():
    if connection.vendor != "postgresql":
        pytest.skip("statement timeout applies to PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5s"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
