"""Reads from a PostgreSQL replica (cases/replicas.py), proven with a real
primary and streaming replica, made here with the OS binaries (initdb,
pg_basebackup) in a throwaway directory, reachable only through its own
sockets: the machine's PostgreSQL is never touched. The replica's replay is
paused, so it is held behind the primary, while tests/replica_probe.py asks
the site what each reader gets.

Skips, saying why, where PostgreSQL's server binaries are missing or the
suite cannot run them as the postgres user (initdb refuses root)."""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.database_agnostic


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def as_postgres(*command):
    if os.geteuid() == 0:
        command = ("runuser", "-u", "postgres", "--", *command)
    subprocess.run(command, check=True, capture_output=True)


@pytest.fixture(scope="module")
def primary_and_replica():
    tools = {name: postgres_bin(name) for name in ("initdb", "pg_ctl", "pg_basebackup", "psql")}
    missing = [name for name, path in tools.items() if not path]
    if missing:
        pytest.skip(f"PostgreSQL's server binaries are missing ({', '.join(missing)})")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres user to run initdb as")
    if os.geteuid() not in (0, pwd.getpwnam("postgres").pw_uid):
        pytest.skip("initdb and pg_ctl run as the postgres user: run the suite as root")
    # Short: a socket's path must fit in 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="tracker-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    primary, replica = root / "primary", root / "replica"
    started = []

    def start(data_dir, port):
        as_postgres(
            tools["pg_ctl"],
            "-D",
            str(data_dir),
            "-w",
            "-l",
            str(root / f"{data_dir.name}.log"),
            "-o",
            # Throwaway: nothing is worth an fsync.
            f"-p {port} -k {root} -c listen_addresses='' -c fsync=off",
            "start",
        )
        started.append(data_dir)

    try:
        as_postgres(
            tools["initdb"], "-D", str(primary), "-A", "trust", "-U", "postgres", "--no-sync"
        )
        start(primary, 5433)
        subprocess.run(
            [tools["psql"], "-h", str(root), "-p", "5433", "-U", "postgres", "-d", "postgres"]
            + ["-Xqc", "CREATE DATABASE tracker"],
            check=True,
            capture_output=True,
        )
        host = str(root).replace("/", "%2F")
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@{host}:5433/tracker",
            "DATABASE_REPLICA_URLS": "",
        }
        for command in (["migrate", "--noinput", "-v0"], ["load_seed", "-v0"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=settings.BASE_DIR,
                env=env,
                check=True,
                capture_output=True,
            )
        as_postgres(
            tools["pg_basebackup"],
            "-h",
            str(root),
            "-p",
            "5433",
            "-U",
            "postgres",
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
            "--no-sync",
            # Start at once: the default waits for a spread checkpoint (minutes).
            "--checkpoint=fast",
        )
        start(replica, 5434)
        yield {**env, "DATABASE_REPLICA_URLS": f"postgres://postgres@{host}:5434/tracker"}
    finally:
        for data_dir in reversed(started):
            as_postgres(tools["pg_ctl"], "-D", str(data_dir), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def seen(primary_and_replica):
    """What each reader got while the replica was held behind."""
    env = {
        **primary_and_replica,
        # The suite's settings for the child: production, a local page cache.
        "CACHE_URL": "",
        "PAGE_CACHE_SECONDS": "600",
        "SITE_MODE": "open",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "tests" / "replica_probe.py")],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_page_from_the_lagging_replica_is_stored_under_the_replicas_version(seen):
    # The pinned browser reads the primary: its page is the new one, under
    # the primary's version. The anonymous reader's page, rendered from the
    # replica, is the old one under another version (the replica's), and is
    # served from the cache under it again.
    primary_page = seen["pinned"]
    assert primary_page["renamed"]
    for name in ("anonymous", "anonymous_again"):
        page = seen[name]
        assert page["status"] == 200
        assert not page["renamed"], "an anonymous reader read the primary"
        assert page["etag"]
        assert page["etag"] != primary_page["etag"], (
            "the replica's page is under the primary's version"
        )
    assert seen["anonymous_again"]["etag"] == seen["anonymous"]["etag"]


def test_once_replayed_the_page_is_the_new_one_under_the_new_version(seen):
    page = seen["anonymous_resumed"]
    assert page["renamed"]
    assert page["etag"] == seen["pinned"]["etag"]


def test_a_browser_that_just_wrote_reads_the_primary(seen):
    assert seen["login_pins"], "a POST did not pin the browser to the primary"
    assert seen["pinned"]["renamed"]


def test_admin_reads_the_primary(seen):
    assert seen["admin_change_form_renamed"]


def test_sessions_and_logins_are_read_from_the_primary(seen):
    assert seen["login_status"] == 302
    page = seen["logged_in_unpinned"]
    assert page["logged_in"], "the session written on the primary was looked up on the replica"
    # The reader's records still come from the replica.
    assert not page["renamed"]


def test_lockouts_are_read_from_the_primary(seen):
    # Four failures recorded on the primary, and the fifth is locked out,
    # although the replica has none of them.
    assert seen["failed_logins"] == [200] * 4 + [429, 429]


def settings_with(env):
    """tracker.settings imported in a child with this environment: what it set."""
    code = (
        "import json, tracker.settings as s; print(json.dumps({"
        "'aliases': sorted(s.DATABASES), 'replicas': s.REPLICA_DATABASES, "
        "'routers': getattr(s, 'DATABASE_ROUTERS', []), 'middleware': s.MIDDLEWARE, "
        "'timeout': s.DATABASES.get('replica2', {}).get('OPTIONS', {})}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DEBUG": "1", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    return result


def test_without_a_replica_the_stack_is_unchanged():
    assert set(settings.DATABASES) == {"default"}
    assert settings.DATABASE_ROUTERS == []
    assert "cases.replicas.ReplicaMiddleware" not in settings.MIDDLEWARE


def test_replica_urls_bring_the_router_and_its_middleware_before_the_session():
    result = settings_with(
        {
            "DATABASE_URL": "postgres://tracker@primary.internal/tracker",
            "DATABASE_REPLICA_URLS": "postgres://tracker@r1.internal/tracker, "
            "postgres://tracker@r2.internal/tracker",
        }
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["aliases"] == ["default", "replica1", "replica2"]
    assert seen["replicas"] == ["replica1", "replica2"]
    assert seen["routers"] == ["cases.replicas.ReplicaRouter"]
    middleware = seen["middleware"]
    assert middleware.index("cases.replicas.ReplicaMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    # A replica that does not answer is given up in seconds, and its
    # statements are bounded like the primary's.
    assert seen["timeout"]["connect_timeout"] == 2
    assert "statement_timeout" in seen["timeout"]["options"]


def test_a_replica_url_that_is_not_postgresql_is_refused():
    result = settings_with({"DATABASE_REPLICA_URLS": "sqlite:///replica.sqlite3"})
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS must be PostgreSQL URLs" in result.stderr
