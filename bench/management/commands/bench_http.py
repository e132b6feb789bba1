"""Benchmark the site as production serves it, at newsroom scale.

`make bench` runs this with DATABASE_URL pointing at a dedicated PostgreSQL
database (tracker_bench by default; created here when missing, never the
developer's own). It:

1. migrates that database and loads the seed and 100,000 synthetic transfers
   (manage.py synthesize) when they are not there yet;
2. counts each page's queries once, in this process, with Django's test client
   and CaptureQueriesContext (the same code and database as the server);
3. serves the site with gunicorn as `make serve` does (DEBUG off, collected
   static files, the bench's own port), with BENCH=1 so a trivial view
   answers at /bench/ceiling/ with a page the size of a table page;
4. drives it from this process over loopback with threads and http.client:
   per page, latency one request at a time (median, p95), then throughput with
   CONCURRENCY clients; then a sustained run (60 s, 20 clients) over a mix of
   pages, counting errors;
5. times an unfiltered CSV export of every transfer (to its first byte and
   to its end) and the home page's latency while three such exports run;
6. runs a bounded load test (LOAD_SECONDS, LOAD_CLIENTS anonymous readers
   over the public pages, exports and search), then the same while an admin
   saves a correction every second through the admin form, and checks that
   every accepted save is in the record's history (see bench/load.py);
7. prints the figures, checks them against the issue's targets, and writes
   docs/performance.md.

`--only load` runs steps 5 and 6 alone (with `--transfers` and
`--load-seconds` for a quick check of the tooling); it prints its figures
and writes no file.
"""

import http.client
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import load
from bench.management.commands.synthesize import RARE_TOKEN, synthetic_data_present
from cases.models import Citation, DetaineeGroup, Event, Facility, Statement, Transfer

BENCH_TRANSFERS = 100_000
COMMON_TERM = "hospital"
HOST = "127.0.0.1"
WORKERS = 3
THREADS = 4
LATENCY_SECONDS = 4
LATENCY_MIN_REQUESTS, LATENCY_MAX_REQUESTS = 5, 60
THROUGHPUT_SECONDS = 5
CONCURRENCY = 4
SUSTAINED_SECONDS = 60
SUSTAINED_CLIENTS = 20
# The public load test (and the same with an admin saving corrections).
LOAD_SECONDS = 60
LOAD_CLIENTS = 20
CONCURRENT_EXPORTS = 3
UNFILTERED_EXPORT = "/transfers/?_export=csv"
# A fictional record of the bench's own database that the bench's admin
# corrects (never one from the seed).
CORRECTION_TARGET = "bench-correction-target"
REQUEST_TIMEOUT = 60
# A page slower than this gets only a few requests, one at a time.
SLOW_PAGE_SECONDS = 2
SLOW_PAGE_REQUESTS = 3
ROOT = Path(settings.BASE_DIR)
NOTES_MARKER = "<!-- notes: kept by make bench -->"


def ensure_database():
    """Create the benchmark's database when it does not exist yet."""
    import psycopg

    name = connection.settings_dict["NAME"]
    params = {
        "host": connection.settings_dict["HOST"] or None,
        "port": connection.settings_dict["PORT"] or None,
        "user": connection.settings_dict["USER"] or None,
        "password": connection.settings_dict["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as maintenance:
        exists = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            maintenance.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def ensure_correction_target(
    slug=CORRECTION_TARGET, name="Bench correction target (fictional)", by="make bench"
):
    """The fictional facility a tool's admin corrects through admin (the load
    tests every second, cluster-check once), published, with its description."""
    target, _ = Facility.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "kind": Facility.Kind.PRISON,
            "publication_status": "published",
            "description": f"A fictional record that {by} corrects through admin.",
        },
    )
    # Admin accepts a changed value only with a citation or an inference
    # behind it (cases/provenance.py); the tool's description has no source.
    inferences = {"description": f"Fictional: written by {by}, which corrects it."}
    Facility.objects.filter(pk=target.pk).update(inferences=inferences)
    return target


class Command(BaseCommand):
    help = "Serve the site with gunicorn at 100,000 transfers and time its pages."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
        parser.add_argument(
            "--sustained-seconds", type=int, default=SUSTAINED_SECONDS, dest="sustained"
        )
        parser.add_argument("--load-seconds", type=int, default=LOAD_SECONDS)
        parser.add_argument("--transfers", type=int, default=BENCH_TRANSFERS)
        parser.add_argument(
            "--only",
            choices=["load"],
            help="Only the exports and load tests (steps 5 and 6); writes no file.",
        )

    def handle(self, *args, port, output, sustained, load_seconds, transfers, only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL.")
        if ensure_database():
            self.stdout.write(f"Created database {connection.settings_dict['NAME']}.")
        with connection.cursor() as cursor:
            # What every web request's connection gets (settings.DATABASES
            # OPTIONS); this process lifts it for loading data and ANALYZE.
            cursor.execute("SHOW statement_timeout")
            self.statement_timeout = cursor.fetchone()[0]
            cursor.execute("SET statement_timeout = 0")
        self.prepare_data(transfers)
        pages = self.pages()
        session_cookie = self.editor_session()
        env = self.server_env()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True
        )
        queries = self.count_queries(pages) if not only else {}
        server = self.start_server(port, env)
        try:
            self.base = (HOST, port)
            self.cookie = f"{settings.SESSION_COOKIE_NAME}={session_cookie}"
            self.wait_until_up()
            if only == "load":
                lines, targets = self.extra_report(*self.exports_and_load(pages, load_seconds))
                self.stdout.write("\n".join(["", *lines]))
                for target, met, figure in targets:
                    self.stdout.write(f"- {'met' if met else 'MISSED'}: {target} — {figure}")
                return
            table_size = len(self.get(pages["Table, first page"])[1])
            pages["Ceiling (trivial view)"] = f"/bench/ceiling/?{urlencode({'size': table_size})}"
            queries["Ceiling (trivial view)"] = 0
            results = {}
            for label, url in pages.items():
                results[label] = self.measure(url)
                results[label]["queries"] = queries[label]
                self.stdout.write(self.row(label, results[label], None))
            mix = [
                pages[label]
                for label in (
                    "Home",
                    "Table, first page",
                    "Table, two facets and sorted",
                    "Table, page 2,000",
                    "Search, rare term",
                    "Detail, many relations",
                    "CSV export, 1,000 rows",
                )
            ]
            sustained_result = self.sustained(mix, sustained)
            extra = self.exports_and_load(pages, load_seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        report = self.report(pages, results, sustained_result, sustained, extra)
        self.stdout.write("\n" + report)
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Notes written by hand below the marker (why a target is missed)
        # are kept from one run to the next.
        previous = path.read_text() if path.exists() else ""
        if NOTES_MARKER in previous:
            report += "\n" + previous[previous.index(NOTES_MARKER) :]
        path.write_text(report)
        self.stdout.write(f"Wrote {output}")

    # --- Data --------------------------------------------------------------

    def prepare_data(self, transfers):
        call_command("migrate", interactive=False, verbosity=0)
        if not Transfer.objects.filter(slug="handover-of-17-to-cecot").exists():
            call_command("load_seed", verbosity=0)
        synthetic = Transfer.objects.filter(slug__startswith="synthetic-").count()
        if synthetic < transfers:
            self.stdout.write(f"Loading {transfers:,} synthetic transfers (a few minutes)…")
            options = {"replace": True} if synthetic_data_present() else {}
            call_command("synthesize", transfers=transfers, **options)
        ensure_correction_target()
        with connection.cursor() as cursor:
            # Fresh statistics, and the visibility map that lets the facet
            # counts read their covering indexes alone (as autovacuum keeps
            # them on a live database).
            cursor.execute("VACUUM ANALYZE")

    def pages(self):
        transfers = Transfer.objects.published()
        busiest = (
            transfers.exclude(destination=None)
            .values("destination__slug", "claim_status")
            .annotate(rows=Count("pk"))
            .order_by("-rows")
            .first()
        )
        dated = transfers.exclude(date=None).order_by("date").values_list("date", flat=True)
        first_day, last_day = dated[0], dated[999]
        richest = (
            transfers.annotate(relations=Count("citations", distinct=True) + Count("groups"))
            .order_by("-relations")
            .values_list("slug", flat=True)
            .first()
        )
        return {
            "Home": "/",
            "Table, first page": "/transfers/",
            "Table, two facets and sorted": "/transfers/?"
            + urlencode(
                {
                    "destination": busiest["destination__slug"],
                    "claim_status": busiest["claim_status"],
                    "sort": "-date",
                }
            ),
            "Table, page 2,000": "/transfers/?page=2000",
            "Search, common term": f"/search/?q={COMMON_TERM}",
            "Search, rare term": f"/search/?q={RARE_TOKEN}",
            "Detail, many relations": f"/transfers/{richest}/",
            "Timeline": "/timeline/",
            "Corrections log": "/corrections/",
            "CSV export, 1,000 rows": "/transfers/?"
            + urlencode({"date_after": first_day, "date_before": last_day, "_export": "csv"}),
            "Record brief (PDF)": f"/transfers/{richest}/brief.pdf",
            "Table brief, 100 rows (PDF)": "/transfers/brief.pdf?"
            + urlencode({"date_after": first_day, "date_before": dated[99]}),
        }

    def editor_session(self):
        """A logged-in session for an editor (PDF briefs need the export
        permission), used both in-process and over HTTP."""
        from django.contrib.sessions.backends.db import SessionStore

        user_model = get_user_model()
        editor = user_model.objects.filter(username="bench-editor").first()
        if editor is None:
            editor = user_model.objects.create_superuser("bench-editor")
        self.client = Client(HTTP_HOST=HOST)
        self.client.force_login(editor)
        session = SessionStore(session_key=self.client.cookies[settings.SESSION_COOKIE_NAME].value)
        return session.session_key

    def count_queries(self, pages):
        counts = {}
        for label, url in pages.items():
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code} in-process.")
            counts[label] = len(captured.captured_queries)
        return counts

    # --- Server ------------------------------------------------------------

    @staticmethod
    def server_env():
        return {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-not-a-secret",
            "ALLOWED_HOSTS": HOST,
            "HTTPS": "0",
            "STATIC_MANIFEST": "1",
            "BENCH": "1",
            "LOG_LEVEL": "WARNING",
        }

    def start_server(self, port, env):
        python = sys.executable
        gunicorn = str(Path(python).with_name("gunicorn"))
        log = open(ROOT / ".bench-gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
        return subprocess.Popen(
            [
                gunicorn,
                "tracker.wsgi",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(WORKERS),
                # Threaded workers, as make serve runs them (see the Makefile).
                "--worker-class",
                "gthread",
                "--threads",
                str(THREADS),
                # Not the user's shared default control socket (see Makefile, serve).
                "--no-control-socket",
                "--timeout",
                "30",
                "--graceful-timeout",
                "70",
                "--max-requests",
                "2000",
                "--max-requests-jitter",
                "200",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self):
        for _ in range(100):
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise CommandError("gunicorn did not start; see .bench-gunicorn.log")

    def get(self, url):
        """(status, body) of one GET over a new connection, as a new reader
        would open one."""
        conn = http.client.HTTPConnection(*self.base, timeout=REQUEST_TIMEOUT)
        try:
            conn.request("GET", url, headers={"Cookie": self.cookie, "Host": HOST})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    # --- Measuring ---------------------------------------------------------

    def timed_get(self, url):
        started = time.perf_counter()
        try:
            status, _ = self.get(url)
        except OSError:
            status = None
        return time.perf_counter() - started, status

    def measure(self, url):
        latencies, errors = [], 0
        started = time.perf_counter()
        while len(latencies) < LATENCY_MAX_REQUESTS and (
            len(latencies) < LATENCY_MIN_REQUESTS or time.perf_counter() - started < LATENCY_SECONDS
        ):
            elapsed, status = self.timed_get(url)
            latencies.append(elapsed)
            errors += status != 200
            if elapsed > SLOW_PAGE_SECONDS and len(latencies) >= SLOW_PAGE_REQUESTS:
                break
        latencies.sort()
        median = statistics.median(latencies)
        if median > SLOW_PAGE_SECONDS:
            # Too slow to load with concurrent clients in a few seconds: its
            # throughput is what one client gets, and says so.
            rps, failed, note = 1 / median, 0, "one client"
        else:
            done, failed = self.run_clients([url], CONCURRENCY, THROUGHPUT_SECONDS)
            rps, note = len(done) / THROUGHPUT_SECONDS, ""
        return {
            "median_ms": median * 1000,
            "p95_ms": latencies[max(0, round(0.95 * len(latencies)) - 1)] * 1000,
            "rps": rps,
            "errors": errors + failed,
            "requests": len(latencies),
            "note": note,
        }

    def run_clients(self, urls, clients, seconds):
        """`clients` threads requesting `urls` in turn for `seconds`: the
        latencies of answered requests, and the number of failures."""
        deadline = time.perf_counter() + seconds
        done, failures, lock = [], [0], threading.Lock()

        def client(offset):
            index = offset
            while time.perf_counter() < deadline:
                elapsed, status = self.timed_get(urls[index % len(urls)])
                index += 1
                with lock:
                    if status == 200:
                        done.append(elapsed)
                    else:
                        failures[0] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return done, failures[0]

    def sustained(self, urls, seconds):
        self.stdout.write(f"Sustained run: {seconds} s, {SUSTAINED_CLIENTS} clients…")
        done, failures = self.run_clients(urls, SUSTAINED_CLIENTS, seconds)
        done.sort()
        return {
            "requests": len(done) + failures,
            "errors": failures,
            "rps": len(done) / seconds,
            "median_ms": statistics.median(done) * 1000 if done else 0,
            "p95_ms": done[max(0, round(0.95 * len(done)) - 1)] * 1000 if done else 0,
            "urls": urls,
        }

    # --- Exports and load ---------------------------------------------------

    def public_mix(self, pages):
        """What anonymous readers ask for in the load test: the public pages,
        exports (bounded ones: the unfiltered export is timed on its own) and
        search."""
        return [
            "/",
            pages["Table, first page"],
            pages["Table, two facets and sorted"],
            "/statements/?sort=speaker",
            "/actors/",
            pages["Detail, many relations"],
            "/timeline/",
            "/corrections/",
            f"/search/?q={RARE_TOKEN}",
            f"/search/?q={COMMON_TERM}",
            pages["CSV export, 1,000 rows"],
            pages["CSV export, 1,000 rows"].replace("_export=csv", "_export=json"),
        ]

    def exports_and_load(self, pages, seconds):
        """Steps 5 and 6 (see the module docstring)."""
        readers = load.Loopback(*self.base)
        self.stdout.write(f"Unfiltered export: {UNFILTERED_EXPORT}…")
        export = load.time_export(readers, UNFILTERED_EXPORT)
        self.stdout.write(f"  {export}")
        self.stdout.write(f"Home page while {CONCURRENT_EXPORTS} unfiltered exports run…")
        during = load.home_latency_during_exports(readers, UNFILTERED_EXPORT, CONCURRENT_EXPORTS)
        self.stdout.write(f"  {during['home']}")
        mix = self.public_mix(pages)
        self.stdout.write(f"Load test: {seconds} s, {LOAD_CLIENTS} anonymous clients…")
        alone = load.load_test(readers, mix, LOAD_CLIENTS, seconds)
        self.stdout.write(f"  {alone}")
        target = Facility.objects.get(slug=CORRECTION_TARGET)
        corrector = load.AdminCorrector(
            loopback=load.Loopback(*self.base, cookie=self.cookie),
            change_url=f"/admin/cases/facility/{target.pk}/change/",
            form_id="facility_form",
            field_name="description",
            run_label=f"bench {datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
        )
        self.stdout.write("The same, while an admin saves a correction every second…")
        with_admin = load.load_test(readers, mix, LOAD_CLIENTS, seconds, corrector=corrector)
        in_history = set(
            target.history.filter(history_change_reason__in=corrector.saved).values_list(
                "history_change_reason", flat=True
            )
        )
        with_admin["admin"] = {
            "saves": len(corrector.saved),
            "attempts": len(corrector.saved) + len(corrector.failures),
            "failed": corrector.failures,
            "in_history": len(in_history),
            "missing": sorted(set(corrector.saved) - in_history),
            **load.summary_ms(corrector.latencies),
        }
        self.stdout.write(f"  {with_admin}")
        return export, during, mix, alone, with_admin, seconds

    def extra_report(self, export, during, mix, alone, with_admin, seconds):
        """Lines for the report, and the targets they check."""

        def export_line(result):
            if "total_s" not in result:
                return f"status {result['status']}"
            return (
                f"status {result['status']}, "
                + ("complete" if result["complete"] else "**stopped at the time limit**")
                + f", {result['rows']:,} rows, "
                f"{result['bytes'] / 1e6:.1f} MB, first byte {result['first_byte_s']:.2f} s, "
                f"total {result['total_s']:.1f} s"
            )

        home = during["home"]
        admin = with_admin["admin"]
        lines = [
            "## Exports and load",
            "",
            f"Unfiltered CSV export (`{UNFILTERED_EXPORT}`, anonymous): {export_line(export)}.",
            "",
            f"Home page while {CONCURRENT_EXPORTS} unfiltered CSV exports run at once "
            f"({home['requests']} requests, one at a time until the exports end): median "
            f"{home['median_ms']:.0f} ms, p95 {home['p95_ms']:.0f} ms, max "
            f"{home['max_ms']:.0f} ms, {home['errors']} errors. The exports: "
            + "; ".join(export_line(result) for result in during["exports"])
            + ".",
            "",
            f"Load test: {seconds} s, {LOAD_CLIENTS} anonymous clients over loopback, each "
            "requesting in turn: " + ", ".join(f"`{url}`" for url in mix) + ".",
            "",
            "| Run | Requests | Req/s | p50 ms | p95 ms | Errors |",
            "|---|---:|---:|---:|---:|---:|",
            *[
                f"| {label} | {run['requests']:,} | {run['rps']:.1f} | {run['median_ms']:.0f} | "
                f"{run['p95_ms']:.0f} | {run['errors']} |"
                for label, run in (
                    ("Readers alone", alone),
                    ("Readers, and an admin saving a correction every second", with_admin),
                )
            ],
            "",
            f"The admin (a change through `/admin/`, with a reason, every second): "
            f"{admin['attempts']} saves attempted (one a second would be {seconds}; a save "
            "waits for the one before it), "
            f"{admin['saves']} accepted, {len(admin['failed'])} refused or failed, "
            f"{admin['in_history']} of {admin['saves']} found in the record's history "
            f"afterwards; a save (GET the form, POST it) took median {admin['median_ms']:.0f} ms, "
            f"p95 {admin['p95_ms']:.0f} ms.",
            *(
                [f"Errors: {run['errors_by_url']}" for run in (alone, with_admin) if run["errors"]]
                or []
            ),
            "",
        ]
        targets = [
            (
                f"Load test ({alone['requests']:,} requests): no errors",
                alone["errors"] == 0,
                f"{alone['errors']} errors, p50 {alone['median_ms']:.0f} ms, "
                f"p95 {alone['p95_ms']:.0f} ms",
            ),
            (
                "Load test with an admin saving every second: no errors, every save in history",
                with_admin["errors"] == 0
                and not admin["failed"]
                and not admin["missing"]
                and admin["saves"] > 0,
                f"{with_admin['errors']} errors, {admin['in_history']}/{admin['saves']} saves "
                f"in history, {len(admin['failed'])} failed saves",
            ),
            (
                "Unfiltered CSV export of every transfer completes",
                export.get("complete", False),
                export_line(export),
            ),
            (
                f"Home page while {CONCURRENT_EXPORTS} unfiltered exports run: p95 < 1 s, "
                "no errors",
                home["p95_ms"] < 1000 and home["errors"] == 0 and home["requests"] > 0,
                f"median {home['median_ms']:.0f} ms, p95 {home['p95_ms']:.0f} ms, "
                f"{home['errors']} errors",
            ),
        ]
        return lines, targets

    # --- Report ------------------------------------------------------------

    @staticmethod
    def row(label, result, ceiling_rps):
        ratio = f"{result['rps'] / ceiling_rps:.0%}" if ceiling_rps else ""
        rps = f"{result['rps']:.1f}" + (f" ({result['note']})" if result.get("note") else "")
        return (
            f"| {label} | {result['median_ms']:.0f} | {result['p95_ms']:.0f} | "
            f"{rps} | {ratio} | {result['queries']} | {result['errors']} |"
        )

    def targets(self, results, sustained):
        def r(label):
            return results[label]

        filtered, detail = r("Table, two facets and sorted"), r("Detail, many relations")
        searches = [r("Search, common term"), r("Search, rare term")]
        first, deep = r("Table, first page"), r("Table, page 2,000")
        ceiling = r("Ceiling (trivial view)")["rps"]
        return (
            [
                (
                    "Table filtered and sorted, with facets: median < 100 ms, p95 < 250 ms",
                    filtered["median_ms"] < 100 and filtered["p95_ms"] < 250,
                    f"median {filtered['median_ms']:.0f} ms, p95 {filtered['p95_ms']:.0f} ms",
                ),
                (
                    "Detail page: median < 50 ms",
                    detail["median_ms"] < 50,
                    f"median {detail['median_ms']:.0f} ms",
                ),
            ]
            + [
                (
                    f"Search ({label}): median < 150 ms",
                    result["median_ms"] < 150,
                    f"median {result['median_ms']:.0f} ms",
                )
                for label, result in zip(("common term", "rare term"), searches, strict=True)
            ]
            + [
                (
                    "Deep page (2,000) no slower than 2× the first page",
                    deep["median_ms"] <= 2 * first["median_ms"],
                    f"{deep['median_ms']:.0f} ms vs {first['median_ms']:.0f} ms "
                    f"({deep['median_ms'] / first['median_ms']:.1f}×)",
                ),
                (
                    "Table throughput ≥ 30% of the ceiling",
                    first["rps"] >= 0.3 * ceiling and filtered["rps"] >= 0.3 * ceiling,
                    f"first page {first['rps'] / ceiling:.0%}, filtered {filtered['rps'] / ceiling:.0%}"
                    f" of {ceiling:.0f} req/s",
                ),
                (
                    "Corrections log: median < 100 ms",
                    r("Corrections log")["median_ms"] < 100,
                    f"median {r('Corrections log')['median_ms']:.0f} ms",
                ),
                (
                    f"Sustained run ({sustained['requests']:,} requests): no errors",
                    sustained["errors"] == 0,
                    f"{sustained['errors']} errors",
                ),
            ]
        )

    def report(self, pages, results, sustained, sustained_seconds, extra):
        extra_lines, extra_targets = self.extra_report(*extra)
        ceiling_rps = results["Ceiling (trivial view)"]["rps"]
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        sizes = {
            "transfers": Transfer.objects.count(),
            "detainee groups": DetaineeGroup.objects.count(),
            "citations": Citation.objects.count(),
            "events": Event.objects.count(),
            "statements": Statement.objects.count(),
        }
        lines = [
            "# Performance",
            "",
            "Written by `make bench` (bench/management/commands/bench_http.py); the PDF",
            "timings of `manage.py bench_pdf` follow it in the same run's output.",
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB memory, "
            f"Python {platform.python_version()}, PostgreSQL {pg_version}",
            "- Data: " + ", ".join(f"{count:,} {name}" for name, count in sizes.items()),
            f"- Server: gunicorn, {WORKERS} workers of {THREADS} threads (gthread), at most "
            f"{settings.EXPORT_SLOTS} exports of over {settings.EXPORT_SLOT_ROWS:,} rows at once, "
            "production settings (DEBUG=0, "
            "STATIC_MANIFEST=1, HTTPS=0 for loopback), same machine as the driver.",
            f"- Statement timeout on every web request's connection: {self.statement_timeout} "
            "(settings: DB_STATEMENT_TIMEOUT_MS); each facet count is limited further to "
            f"{getattr(settings, 'FACET_TIME_LIMIT_MS', 200)} ms.",
            "",
            "How it is measured: latency one request at a time for "
            f"{LATENCY_SECONDS} s (at least {LATENCY_MIN_REQUESTS}, at most "
            f"{LATENCY_MAX_REQUESTS} requests); requests per second with {CONCURRENCY} "
            f"concurrent clients for {THROUGHPUT_SECONDS} s; all over loopback with "
            "http.client from a second process, as a logged-in editor (the PDF briefs need "
            "the export permission). Queries per request are counted once in-process with "
            "Django's CaptureQueriesContext against the same database. The ceiling is a "
            "trivial Django view (only routed when BENCH=1) returning a page the size "
            "of the table's first page through the same middleware.",
            "",
            "| Page | Median ms | p95 ms | Req/s | Of ceiling | Queries | Errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *[self.row(label, result, ceiling_rps) for label, result in results.items()],
            "",
            "Pages:",
            "",
            *[f"- {label}: `{url}`" for label, url in pages.items()],
            "",
            f"Sustained run: {sustained_seconds} s, {SUSTAINED_CLIENTS} concurrent clients over "
            f"the HTML pages, search (rare) and the CSV export: {sustained['requests']:,} "
            f"requests, {sustained['rps']:.1f} req/s, median {sustained['median_ms']:.0f} ms, "
            f"p95 {sustained['p95_ms']:.0f} ms, **{sustained['errors']} errors**.",
            "",
            *extra_lines,
            "## Targets (100,000 transfers, PostgreSQL)",
            "",
            *[
                f"- {'met' if met else '**MISSED**'}: {target} — {figure}"
                for target, met, figure in [*self.targets(results, sustained), *extra_targets]
            ],
            "",
        ]
        return "\n".join(lines)
