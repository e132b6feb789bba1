#!/usr/bin/env python3
"""Show what the served site does when PostgreSQL goes away and comes back.

Starts a throwaway PostgreSQL cluster of its own (so the machine's main server
and anyone's tests on it are untouched), serves the tracker from it with
gunicorn in production settings (as `make serve` does), then stops and restarts
that PostgreSQL under traffic and prints what each step answered:

    make outage-check

It exits non-zero if any answer is not what a reader should get: 200 while the
database is up, a clear 503 page (never a stack trace) while it is down, and
200 again once it is back, with no restart of the web server.

Needs root (to run PostgreSQL's own tools as the `postgres` user) and
PostgreSQL's server binaries (Debian: postgresql).
"""

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = PROJECT / ".venv" / "bin" / "python"
GUNICORN = PROJECT / ".venv" / "bin" / "gunicorn"
DB_PORT = int(os.environ.get("OUTAGE_DB_PORT", "5499"))
WEB_PORT = int(os.environ.get("OUTAGE_WEB_PORT", "8099"))
BASE_URL = f"http://127.0.0.1:{WEB_PORT}"
PAGES = ["/", "/transfers/?destination=cecot", "/agreements/safe-third-country/", "/healthz"]


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"PostgreSQL's {name} was not found (apt-get install postgresql).")
    return found[-1]


def as_postgres(*command, **kwargs):
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, **kwargs)


def get(path):
    """(status, body) of one request; never raises for an HTTP error."""
    try:
        with urllib.request.urlopen(BASE_URL + path, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except OSError as error:
        return None, str(error)


def wait_for(check, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise SystemExit(f"Timed out waiting for {what}.")


def main():
    data_dir = Path(tempfile.mkdtemp(prefix="tracker-outage-pg-"))
    socket_dir = Path(tempfile.mkdtemp(prefix="tracker-outage-sock-"))
    shutil.chown(data_dir, "postgres")
    shutil.chown(socket_dir, "postgres")
    pg_ctl = postgres_bin("pg_ctl")
    pg_options = f"-p {DB_PORT} -k {socket_dir} -c listen_addresses=127.0.0.1"
    log_file = data_dir / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{DB_PORT}/postgres",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "outage-check-only-not-a-secret"),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback; static files served as they are.
        "HTTPS": "0",
        "STATIC_MANIFEST": "0",
    }
    web = None

    def start_postgres():
        as_postgres(
            pg_ctl,
            "-D",
            str(data_dir),
            "-o",
            pg_options,
            "-l",
            str(log_file),
            "-w",
            "start",
            stdout=subprocess.DEVNULL,
        )

    web_log_path = Path(tempfile.mkstemp(prefix="tracker-outage-web-", suffix=".log")[1])
    failures = []

    def expect(label, path, status, text):
        got_status, body = get(path)
        ok = got_status == status and text in body and "Traceback" not in body
        print(f"  {'ok ' if ok else 'BAD'} {label:<9} {path:<40} -> {got_status}")
        if not ok:
            failures.append(f"{label} {path}: {got_status} {body[:200]!r}")

    web_log = web_log_path.open("w")
    try:
        print(f"Starting a throwaway PostgreSQL on port {DB_PORT}")
        as_postgres(
            postgres_bin("initdb"),
            "-D",
            str(data_dir),
            "-A",
            "trust",
            "-U",
            "postgres",
            stdout=subprocess.DEVNULL,
        )
        start_postgres()
        for command in (["migrate", "--noinput", "-v0"], ["load_seed", "-v0"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=PROJECT, env=env, check=True)

        print(f"Serving the tracker with gunicorn on {BASE_URL}")
        web = subprocess.Popen(
            [
                GUNICORN,
                "tracker.wsgi",
                "--bind",
                f"127.0.0.1:{WEB_PORT}",
                "--workers",
                "2",
                # Not the user's shared default control socket (see Makefile, serve).
                "--no-control-socket",
                "--timeout",
                "30",
            ],
            cwd=PROJECT,
            env=env,
            stdout=web_log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: get("/healthz")[0] == 200, "the web server")

        print("1. Database up")
        for path in PAGES:
            expect("up", path, 200, "")

        print("2. Database stopped under traffic")
        as_postgres(
            pg_ctl, "-D", str(data_dir), "-m", "fast", "-w", "stop", stdout=subprocess.DEVNULL
        )
        for path in PAGES[:-1]:
            expect("down", path, 503, "temporarily unavailable")
        expect("down", "/healthz", 503, '"database": "down"')

        print("3. Database started again (web server not restarted)")
        start_postgres()
        wait_for(lambda: get("/healthz")[0] == 200, "the site to recover")
        for path in PAGES:
            expect("recovered", path, 200, "")
        # Every worker, not just the first to answer, must have recovered.
        for _ in range(10):
            expect("recovered", "/transfers/", 200, "Transfers")
    finally:
        if web is not None:
            web.send_signal(signal.SIGTERM)
            web.wait(timeout=30)
        web_log.close()
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                pg_ctl,
                "-D",
                str(data_dir),
                "-m",
                "immediate",
                "stop",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(socket_dir, ignore_errors=True)

    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        print(f"The web server's log is in {web_log_path}")
        return 1
    print("All answers were as expected: 200 up, 503 page down, 200 again after recovery.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
