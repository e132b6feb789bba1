"""Readers, unfiltered exports, admin logins and saves at once, on SQLite.

`make bench-sqlite-load` runs this with DATABASE_URL pointing at a working
copy of bench-compare's SQLite file of 100,000 transfers (`--copy-from`
copies it first with SQLite's backup API, so the original is never written).
It:

1. migrates the copy, gives it an administrator with a password and the
   fictional record bench-http corrects (bench_http.CORRECTION_TARGET);
2. serves the copy with gunicorn as `make serve` does (production settings,
   3 workers of 4 threads, the default local-memory cache);
3. for `--seconds`, at once: `--readers` anonymous readers over the public
   pages (tables and their pages, records, search, timeline; every save
   changes the data version, so most pages are computed, not cached),
   `--exports` unfiltered CSV exports of every transfer (each started again
   when it ends), the administrator logging in through the admin's login
   form every 2 s, and saving a correction through the admin's change form
   every second (bench/load.py);
4. prints the readers' p50/p95/p99, the exports, the logins and saves that
   succeeded, and how many answers and log lines said "database is locked",
   and keeps the run in docs/performance.md, in a section of its own.

Issue 28: in rollback-journal mode 4 of 6 logins got "database is locked"
during exports; with WAL, a busy timeout and IMMEDIATE transactions
(tracker/settings.py) none should.
"""

import os
import random
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import load
from bench.management.commands.bench_compare import write_section
from bench.management.commands.bench_http import (
    CORRECTION_TARGET,
    HOST,
    THREADS,
    WORKERS,
    ensure_correction_target,
)
from bench.management.commands.bench_http import Command as BenchHttp
from bench.management.commands.synthesize import RARE_TOKEN
from cases.models import Facility, Transfer
from cases.roles import give_role

ROOT = Path(settings.BASE_DIR)
UNFILTERED_EXPORT = "/transfers/?_export=csv"
ADMIN_USERNAME = "bench-load-admin"
# Only for this throwaway copy: the bench logs in with it over loopback.
ADMIN_PASSWORD = "bench-load-not-a-secret-28"
LOGIN_INTERVAL = 2.0
SAVE_INTERVAL = 1.0
LOCKED = "database is locked"
SECTION_START = "<!-- bench_sqlite_load: start -->"
SECTION_END = "<!-- bench_sqlite_load: end -->"


class Command(BaseCommand):
    help = "Readers, unfiltered exports, admin logins and saves at once on a SQLite file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--copy-from",
            help="A SQLite file to copy over DATABASE_URL's first (it is only read).",
        )
        parser.add_argument("--port", type=int, default=8767)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--readers", type=int, default=20)
        parser.add_argument("--exports", type=int, default=3)
        parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
        parser.add_argument("--no-output", action="store_true", help="Print only.")

    def handle(self, *args, copy_from, port, seconds, readers, exports, output, **options):
        if connection.vendor != "sqlite":
            raise CommandError("Set DATABASE_URL to the SQLite file to load (a copy).")
        path = Path(connection.settings_dict["NAME"]).resolve()
        if copy_from:
            self.copy(Path(copy_from).resolve(), path)
        self.prepare()
        urls = self.reader_urls()
        # The server alone writes while it runs.
        connection.close()
        load_before = os.getloadavg()
        bench = BenchHttp(stdout=self.stdout, stderr=self.stderr)
        bench.base, bench.cookie = (HOST, port), ""
        log_path = ROOT / ".bench-gunicorn.log"
        server = bench.start_server(port, self.server_env(path))
        try:
            bench.wait_until_up()
            started = datetime.now(UTC)
            result = self.run(port, urls, seconds, readers, exports)
        finally:
            server.terminate()
            server.wait(timeout=90)
        result["load_before"], result["load_after"] = load_before, os.getloadavg()
        result["locked_in_log"] = log_path.read_text(errors="replace").count(LOCKED)
        result["transfers"] = Transfer.objects.count()
        result["in_history"] = (
            Facility.objects.get(slug=CORRECTION_TARGET)
            .history.filter(history_change_reason__in=result["saved"])
            .count()
        )
        report = self.report(result, started, seconds, readers, exports, urls)
        self.stdout.write(report)
        if not options["no_output"]:
            write_section(Path(output), report, SECTION_START, SECTION_END)
            self.stdout.write(f"Wrote {output}")
        if result["failed"]:
            raise CommandError("Some logins or saves failed, or a reader saw the database locked.")

    # --- Data ----------------------------------------------------------------------

    def copy(self, source, target):
        if source == target:
            raise CommandError("--copy-from must be another file than DATABASE_URL's.")
        self.stdout.write(f"Copying {source} to {target}…")
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as original:
            copy = sqlite3.connect(target)
            original.backup(copy)
            copy.close()

    def prepare(self):
        call_command("migrate", interactive=False, verbosity=0)
        if Transfer.objects.filter(slug__startswith="synthetic-").count() < 1000:
            raise CommandError(
                "No synthetic transfers in this file: copy bench-compare's (--copy-from)."
            )
        user_model = get_user_model()
        admin = user_model.objects.filter(username=ADMIN_USERNAME).first()
        if admin is None:
            admin = user_model.objects.create_user(ADMIN_USERNAME)
        admin.set_password(ADMIN_PASSWORD)
        admin.save()
        give_role(admin, "admin")
        ensure_correction_target()

    def reader_urls(self):
        """The public pages readers ask for, in a fixed shuffled order: tables
        and their deeper pages, records, search, timeline and the log."""
        rng = random.Random(28)
        slugs = list(Transfer.objects.published().order_by("?").values_list("slug", flat=True)[:20])
        urls = ["/", "/actors/", "/statements/?sort=speaker", "/timeline/", "/corrections/"]
        urls += [f"/transfers/?page={page}" for page in range(1, 21)]
        urls += [f"/transfers/?sort=-date&page={page}" for page in range(1, 6)]
        urls += [f"/transfers/{slug}/" for slug in slugs]
        urls += [f"/search/?q={RARE_TOKEN}", "/search/?q=hospital", "/facilities/", "/sources/"]
        rng.shuffle(urls)
        return urls

    @staticmethod
    def server_env(path):
        return {**BenchHttp.server_env(), "DATABASE_URL": f"sqlite:///{path}"}

    # --- The run -------------------------------------------------------------------

    def run(self, port, urls, seconds, readers, exports):
        loopback = load.Loopback(HOST, port)
        login = load.AdminLogin(
            loopback=load.Loopback(HOST, port),
            username=ADMIN_USERNAME,
            password=ADMIN_PASSWORD,
            interval=LOGIN_INTERVAL,
        )
        session = login.login_once()
        if session is None:
            raise CommandError(f"The bench's administrator could not log in: {login.failures}")
        login.sessions.clear()
        login.latencies.clear()
        target = Facility.objects.get(slug=CORRECTION_TARGET)
        corrector = load.AdminCorrector(
            loopback=load.Loopback(HOST, port, cookie=session),
            change_url=f"/admin/cases/facility/{target.pk}/change/",
            form_id="facility_form",
            field_name="description",
            run_label=f"sqlite load {datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
            interval=SAVE_INTERVAL,
        )
        stop = threading.Event()
        export_results, lock = [], threading.Lock()

        def export():
            while not stop.is_set():
                result = load.time_export(loopback, UNFILTERED_EXPORT)
                with lock:
                    export_results.append(result)

        self.stdout.write(
            f"{seconds} s: {readers} readers, {exports} unfiltered exports, an administrator "
            f"logging in every {LOGIN_INTERVAL:g} s and saving every {SAVE_INTERVAL:g} s…"
        )
        exporters = [threading.Thread(target=export) for _ in range(exports)]
        for thread in exporters:
            thread.start()
        time.sleep(0.5)
        try:
            readers_result = load.load_test(
                loopback, urls, readers, seconds, corrector=corrector, writers=[login]
            )
        finally:
            stop.set()
        self.stdout.write("Waiting for the exports running to end…")
        for thread in exporters:
            thread.join()
        locked_answers = sum(
            count for key, count in readers_result["errors_by_url"].items() if "503" in key
        )
        return {
            "readers": readers_result,
            "exports": export_results,
            "logins": {
                "ok": len(login.sessions),
                "attempts": len(login.sessions) + len(login.failures),
                "failures": login.failures,
                **load.summary_ms(login.latencies),
            },
            "saves": {
                "ok": len(corrector.saved),
                "attempts": len(corrector.saved) + len(corrector.failures),
                "failures": corrector.failures,
                **load.summary_ms(corrector.latencies),
            },
            "saved": corrector.saved,
            "readers_503": locked_answers,
            "failed": bool(login.failures or corrector.failures or readers_result["errors"]),
        }

    # --- Report --------------------------------------------------------------------

    def report(self, result, started, seconds, readers, exports, urls):
        r, logins, saves = result["readers"], result["logins"], result["saves"]
        finished = [e for e in result["exports"] if e.get("status") == 200]
        cut = sum(1 for e in finished if not e.get("complete"))
        other = [e["status"] for e in result["exports"] if e.get("status") != 200]
        export_rows = ", ".join(
            f"{e['rows']:,} rows in {e['total_s']:.1f} s" + ("" if e["complete"] else " (cut)")
            for e in finished
        )
        load_text = " before, ".join(
            "/".join(f"{value:.1f}" for value in averages)
            for averages in (result["load_before"], result["load_after"])
        )
        errors = "; ".join(f"{key}: {count}" for key, count in r["errors_by_url"].items())
        return (
            "## SQLite under load: readers, exports, logins and saves at once "
            "(`make bench-sqlite-load`)\n\n"
            f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, load average "
            f"(1/5/15 min) {load_text} after. A copy of bench-compare's SQLite file "
            f"({result['transfers']:,} transfers) served by gunicorn as `make serve` does "
            f"({WORKERS} workers of {THREADS} threads, production settings: WAL, busy timeout, "
            f"IMMEDIATE transactions). For {seconds} s at once: {readers} anonymous readers over "
            f"{len(urls)} public pages (tables and their pages, records, search, timeline, log); "
            f"{exports} unfiltered CSV exports (`{UNFILTERED_EXPORT}`), each started again when "
            f"it ended; an administrator logging in through `/admin/login/` every "
            f"{LOGIN_INTERVAL:g} s and saving a correction through the admin's change form every "
            f"{SAVE_INTERVAL:g} s.\n\n"
            "| Readers | Requests | Req/s | p50 ms | p95 ms | p99 ms | max ms | Errors |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|\n"
            f"| {readers} anonymous | {r['requests']:,} | {r['rps']:.1f} | {r['median_ms']:.0f} "
            f"| {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['max_ms']:.0f} | {r['errors']} |\n\n"
            f"- Logins: {logins['ok']} of {logins['attempts']} succeeded (form, POST, then the "
            f"admin's index), median {logins['median_ms']:.0f} ms, max {logins['max_ms']:.0f} ms"
            + (f"; failures: {logins['failures']}" if logins["failures"] else "")
            + ".\n"
            f"- Saves: {saves['ok']} of {saves['attempts']} accepted, {result['in_history']} "
            f"found in the record's history; median {saves['median_ms']:.0f} ms, max "
            f"{saves['max_ms']:.0f} ms"
            + (f"; failures: {saves['failures']}" if saves["failures"] else "")
            + ".\n"
            f"- Exports: {len(finished)} answered 200 ({cut} cut at the time limit, as designed)"
            + (f", {len(other)} other: {other}" if other else "")
            + f": {export_rows}.\n"
            f'- "{LOCKED}": {result["locked_in_log"]} in the server\'s log, '
            f"{result['readers_503']} readers' 503s"
            + (f"; readers' errors: {errors}" if errors else "")
            + ".\n\n"
        )
