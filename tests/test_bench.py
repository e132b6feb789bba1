"""The tooling (bench/) is out of the app: installed, with its commands and
its ceiling page, only when the environment says BENCH=1; the production URL
conf routes no benchmark page."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from bench.views import CEILING_MAX_SIZE, ceiling

BENCH_COMMANDS = {
    "bench_compare",
    "bench_http",
    "bench_pdf",
    "bench_sqlite_load",
    "fuzz",
    "remove_synthetic",
    "synthesize",
}


def settings_and_commands(bench):
    """(installed apps, URL conf, management commands) of a fresh process,
    with BENCH as given (None: not set at all)."""
    env = {k: v for k, v in os.environ.items() if k != "BENCH"}
    if bench is not None:
        env["BENCH"] = bench
    code = (
        "import django; from django.conf import settings; django.setup();"
        "from django.core.management import get_commands;"
        "print(' '.join(settings.INSTALLED_APPS)); print(settings.ROOT_URLCONF);"
        "print(' '.join(sorted(get_commands())))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "tracker.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    apps, urlconf, commands = result.stdout.splitlines()
    return apps.split(), urlconf, set(commands.split())


@pytest.mark.parametrize("bench", [None, "", "0"])
def test_without_bench_the_tooling_is_not_installed(bench):
    apps, urlconf, commands = settings_and_commands(bench)
    assert "bench" not in apps
    assert urlconf == "tracker.urls"
    assert not commands & BENCH_COMMANDS
    assert {"load_seed", "assign_role"} <= commands


def test_bench_installs_the_tooling_and_its_url_conf():
    apps, urlconf, commands = settings_and_commands("1")
    assert "bench" in apps
    assert urlconf == "bench.urls"
    assert commands >= BENCH_COMMANDS


def views_of(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from views_of(pattern)
        else:
            assert isinstance(pattern, URLPattern)
            yield pattern.callback


def test_the_production_url_conf_routes_no_benchmark_page():
    modules = {view.__module__ for view in views_of(get_resolver("tracker.urls"))}
    assert modules, "no views found"
    assert not {module for module in modules if module.split(".")[0] == "bench"}


def test_the_bench_url_conf_is_the_production_one_plus_the_ceiling():
    production = list(views_of(get_resolver("tracker.urls")))
    bench = list(views_of(get_resolver("bench.urls")))
    assert bench == [*production, ceiling]
    assert get_resolver("bench.urls").resolve("/bench/ceiling/").func is ceiling


def test_the_ceiling_page_is_the_size_asked(rf):
    assert len(ceiling(rf.get("/", {"size": "1234"})).content) == 1234
    assert len(ceiling(rf.get("/", {"size": "many"})).content) == 0
    too_big = ceiling(rf.get("/", {"size": str(10**12)}))
    assert len(too_big.content) == CEILING_MAX_SIZE
