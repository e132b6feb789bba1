"""How the project starts gunicorn."""

import re

import pytest
from django.conf import settings

# Every place that starts gunicorn: `make serve`, the bench and the scripts.
GUNICORN_STARTERS = [
    "Makefile",
    "bench/management/commands/bench_http.py",
    "bench/management/commands/bench_compare.py",
    "scripts/screenshots.py",
    "scripts/db_outage_check.py",
]


@pytest.mark.parametrize("path", GUNICORN_STARTERS)
def test_gunicorn_is_started_without_the_users_shared_control_socket(path):
    # gunicorn 27's default control socket is one path per user: a second
    # gunicorn (another checkout, the bench) takes it over from the first.
    text = (settings.BASE_DIR / path).read_text()
    assert "--no-control-socket" in text


def test_every_file_that_starts_gunicorn_is_checked():
    found = {
        str(path.relative_to(settings.BASE_DIR))
        for pattern in (
            "Makefile",
            "scripts/*.py",
            "cases/**/*.py",
            "tracker/*.py",
            "bench/**/*.py",
        )
        for path in settings.BASE_DIR.glob(pattern)
        if re.search(r"tracker\.wsgi", path.read_text()) and path.name != "settings.py"
    }
    assert found == set(GUNICORN_STARTERS)


@pytest.mark.parametrize(
    "path",
    [
        "Makefile",
        "bench/management/commands/bench_http.py",
        "bench/management/commands/bench_compare.py",
    ],
)
def test_production_and_the_bench_serve_with_threaded_workers(path):
    # A streaming export holds a sync worker for its whole run; with threads
    # it holds one thread, and the export slots bound how many (issue 15).
    text = (settings.BASE_DIR / path).read_text()
    assert "gthread" in text
