"""The tracker against Datasette on the same SQLite file, side by side.

`make bench` runs this after bench-http. It:

1. makes (once) a SQLite file of the seed and 100,000 synthetic transfers
   (manage.py migrate + synthesize, in a subprocess pointed at the file), and
   the same data in a PostgreSQL database of its own;
2. serves the SQLite file twice: the tracker with gunicorn (3 workers of
   4 threads, production settings) and Datasette (`datasette serve`, suggest_facets off,
   200 ms facet time limit);
3. asks both for the same six pages, each in its own tool's idiom (table with
   facets, filtered and sorted, text filter, a deep page, a record page, a
   1,000-row CSV), from one client in this process: threads and http.client,
   CONCURRENCY connections, interleaved (tracker, Datasette, tracker,
   Datasette...) so background load hits both alike;
4. measures the tracker with its cache missing (CACHE_URL=dummy://: every
   page computed) and hitting (local memory, warmed), then the same pages of
   the tracker on PostgreSQL; and a trivial view for the server's ceiling;
5. prints the table and the issue's targets, met or missed, and keeps the
   run in docs/performance.md, in a section of its own after bench-http's
   notes (which bench-http keeps when it rewrites the file).

Nothing here is imported by the app: it is a tool, not part of the site.
"""

import http.client
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

BENCH_TRANSFERS = 100_000
COMMON_TERM = "hospital"
HOST = "127.0.0.1"
WORKERS = 3
THREADS = 4
CONCURRENCY = 4
# Seconds per measurement; each page is measured ROUNDS times per server,
# alternately, and its throughput is the median of its rounds (issue 25).
SLICE_SECONDS = 4
ROUNDS = 3
LATENCY_REQUESTS = 15
LATENCY_SECONDS = 5
REQUEST_TIMEOUT = 60
CSV_ROWS = 1000
DEEP_PAGE = 200
PER_PAGE = 25
ROOT = Path(settings.BASE_DIR)
PAGE_NAMES = (
    "table with facets",
    "filtered + sorted",
    "text filter",
    f"deep page ({DEEP_PAGE})",
    "record page",
    f"{CSV_ROWS:,}-row CSV",
)


def manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "BENCH": "1"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


SECTION_START = "<!-- bench_compare: start -->"
SECTION_END = "<!-- bench_compare: end -->"


def write_section(path, report, start=SECTION_START, end=SECTION_END):
    """Put the report in its own section of `path` (between the markers
    `start` and `end`), replacing the last run's."""
    text = path.read_text() if path.exists() else ""
    section = f"{start}\n{report}{end}\n"
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :].lstrip("\n")
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def has_synthetic_transfers(database_url):
    code = (
        "from bench.management.commands.synthesize import synthetic_data_present;"
        "import sys; sys.exit(0 if synthetic_data_present() else 1)"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "BENCH": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    return result.returncode == 0


class Client:
    """One HTTP client for every server: a new connection per request
    (as a new reader opens one), the same for all."""

    def __init__(self, port):
        self.port = port

    def get(self, url):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request("GET", url, headers={"Host": HOST})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def throughput(self, url, seconds, concurrency=CONCURRENCY):
        """(requests per second, errors) with `concurrency` clients."""
        done, errors = [0], [0]
        lock = threading.Lock()
        stop = time.perf_counter() + seconds

        def worker():
            while time.perf_counter() < stop:
                try:
                    status, _ = self.get(url)
                    ok = status == 200
                except OSError:
                    ok = False
                with lock:
                    done[0] += ok
                    errors[0] += not ok

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return done[0] / (time.perf_counter() - started), errors[0]

    def latency(self, url, requests=LATENCY_REQUESTS, seconds=LATENCY_SECONDS):
        """(median, p95) in milliseconds, one request at a time: `requests`
        of them, or fewer (at least 3) when they take longer than `seconds`."""
        times = []
        stop = time.perf_counter() + seconds
        while len(times) < requests and (len(times) < 3 or time.perf_counter() < stop):
            started = time.perf_counter()
            self.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


class Command(BaseCommand):
    help = "Compare the tracker with Datasette on the same SQLite file of 100,000 transfers."

    def add_arguments(self, parser):
        parser.add_argument("--sqlite", default=str(ROOT / ".bench" / "transfers.sqlite3"))
        parser.add_argument(
            "--postgres",
            default=os.environ.get(
                "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench"
            ),
            help="The tracker on PostgreSQL (empty to skip)",
        )
        parser.add_argument("--tracker-port", type=int, default=8771)
        parser.add_argument("--datasette-port", type=int, default=8772)
        parser.add_argument("--seconds", type=float, default=SLICE_SECONDS)
        parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))

    def handle(self, *args, **options):
        self.seconds = options["seconds"]
        sqlite_path = Path(options["sqlite"]).resolve()
        sqlite_url = f"sqlite:///{sqlite_path}"
        self.prepare(sqlite_url, sqlite_path)
        postgres_url = options["postgres"]
        if postgres_url:
            self.prepare(postgres_url)
        self.processes = []
        try:
            results = self.run_all(sqlite_url, sqlite_path, postgres_url, options)
        finally:
            for process in self.processes:
                process.terminate()
                process.wait(timeout=30)
        report = self.report(results)
        self.stdout.write(report)
        write_section(Path(options["output"]), report)
        self.stdout.write(f"Written to {options['output']}")

    # --- Data ----------------------------------------------------------------

    def prepare(self, database_url, sqlite_path=None):
        if sqlite_path is not None:
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        else:
            self.create_postgres_database(database_url)
        manage(database_url, "migrate", "--noinput", "-v0")
        if not has_synthetic_transfers(database_url):
            self.stdout.write(
                f"Loading {BENCH_TRANSFERS:,} synthetic transfers into {database_url}"
            )
            manage(database_url, "load_seed", "-v0")
            manage(database_url, "synthesize", "--transfers", str(BENCH_TRANSFERS))

    @staticmethod
    def create_postgres_database(database_url):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(database_url)
        params = {
            "host": config["HOST"] or None,
            "port": config["PORT"] or None,
            "user": config["USER"] or None,
            "password": config["PASSWORD"] or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as maintenance:
            exists = maintenance.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
            )
            if exists.fetchone() is None:
                maintenance.execute(f'CREATE DATABASE "{config["NAME"]}"')

    def sample(self, rows_query, params=()):
        with sqlite3.connect(self.sqlite_path) as db:
            return db.execute(rows_query, params).fetchone()

    def pages(self, sqlite_path):
        """[(name, tracker URL, Datasette URL)]: the same question in each
        tool's own words. Values come from the SQLite file."""
        self.sqlite_path = sqlite_path
        published = "publication_status = 'published'"
        destination_id, destination_slug = self.sample(
            f"SELECT f.id, f.slug FROM cases_facility f JOIN cases_transfer t "
            f"ON t.destination_id = f.id WHERE f.{published} AND t.{published} "
            "GROUP BY f.id ORDER BY COUNT(*) DESC LIMIT 1"
        )
        (record_id, record_slug) = self.sample(
            f"SELECT id, slug FROM cases_transfer WHERE {published} "
            "AND slug LIKE 'synthetic-%' ORDER BY id LIMIT 1 OFFSET 5000"
        )
        # A date window holding about CSV_ROWS published transfers.
        first, last = self.sample(
            f"SELECT MIN(date), MAX(date) FROM (SELECT date FROM cases_transfer "
            f"WHERE {published} AND date IS NOT NULL ORDER BY date DESC LIMIT {CSV_ROWS})"
        )
        (csv_rows,) = self.sample(
            f"SELECT COUNT(*) FROM cases_transfer WHERE {published} AND date BETWEEN ? AND ?",
            (first, last),
        )
        self.csv_rows = csv_rows
        # Datasette pages by keyset: the token of the row before the deep page.
        offset = (DEEP_PAGE - 1) * PER_PAGE - 1
        deep_date, deep_id = self.sample(
            f"SELECT date, id FROM cases_transfer WHERE {published} "
            f"ORDER BY date DESC, id DESC LIMIT 1 OFFSET {offset}"
        )
        facets = "&".join(
            f"_facet={name}" for name in ("destination_id", "agreement_id", "claim_status")
        )
        table = "/bench/cases_transfer"
        only_published = "publication_status__exact=published"
        text_fields = ("title", "summary", "count_stated", "date_stated", "to_country")
        where = " or ".join(f"{field} like '%{COMMON_TERM}%'" for field in text_fields)
        return [
            (PAGE_NAMES[0], "/transfers/", f"{table}?{only_published}&_sort_desc=date&{facets}"),
            (
                PAGE_NAMES[1],
                f"/transfers/?destination={destination_slug}&claim_status=reported&sort=title",
                f"{table}?{only_published}&destination_id__exact={destination_id}"
                f"&claim_status__exact=reported&_sort=title&{facets}",
            ),
            (
                PAGE_NAMES[2],
                f"/transfers/?q={COMMON_TERM}",
                f"{table}?{only_published}&_where={quote(where)}&_sort_desc=date&{facets}",
            ),
            (
                PAGE_NAMES[3],
                f"/transfers/?page={DEEP_PAGE}",
                f"{table}?{only_published}&_sort_desc=date&{facets}"
                f"&_next={quote(f'{deep_date},{deep_id}')}",
            ),
            (PAGE_NAMES[4], f"/transfers/{record_slug}/", f"{table}/{record_id}"),
            (
                PAGE_NAMES[5],
                f"/transfers/?{urlencode({'date_after': first, 'date_before': last})}&_export=csv",
                f"{table}.csv?{only_published}&date__gte={first}&date__lte={last}&_size=max",
            ),
        ]

    # --- Servers ---------------------------------------------------------------

    def tracker_env(self, database_url, cache_url):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-not-a-secret",
            "ALLOWED_HOSTS": HOST,
            "HTTPS": "0",
            "STATIC_MANIFEST": "0",
            "BENCH": "1",
            "LOG_LEVEL": "WARNING",
            "CACHE_URL": cache_url,
        }
        return env

    def start(self, command, port, env=None, name="server"):
        log = open(ROOT / f".bench-{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command, cwd=ROOT, env=env or os.environ, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        client = Client(port)
        for _ in range(300):
            try:
                client.get("/")
                return process, client
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"{name} did not start; see .bench-{name}.log")

    def stop(self, process):
        process.terminate()
        process.wait(timeout=30)
        self.processes.remove(process)

    def start_tracker(self, database_url, cache_url, port):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        # No shared control socket: it is one path per user, and a second
        # gunicorn (another checkout, `make serve`) would take it over.
        command = [gunicorn, "tracker.wsgi", "--bind", f"{HOST}:{port}", "--no-control-socket"]
        # Threaded workers, as make serve and bench_http run them.
        command += ["--workers", str(WORKERS), "--worker-class", "gthread"]
        command += ["--threads", str(THREADS), "--timeout", "60"]
        return self.start(command, port, self.tracker_env(database_url, cache_url), "tracker")

    def start_datasette(self, sqlite_path, port):
        datasette = str(Path(sys.executable).with_name("datasette"))
        command = [datasette, "serve", str(sqlite_path), "--host", HOST, "--port", str(port)]
        command += ["--setting", "suggest_facets", "off"]
        command += ["--setting", "facet_time_limit_ms", "200"]
        command += ["--setting", "sql_time_limit_ms", "5000"]
        # The same database name in the URLs whatever the file is called.
        link = sqlite_path.with_name("bench.db")
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(sqlite_path.name)
        command[2] = str(link)
        return self.start(command, port, name="datasette")

    # --- Measuring ---------------------------------------------------------------

    def expect_ok(self, client, url, label):
        status, body = client.get(url)
        if status != 200:
            raise CommandError(f"{label} answered {status} for {url}: {body[:300]!r}")
        return body

    def interleaved(self, clients, url_sets):
        """{name: req/s} for each (name, client, url): the median of ROUNDS
        slices each, taken in turn."""
        totals = {name: [] for name in clients}
        for _ in range(ROUNDS):
            for name, client in clients.items():
                rate, errors = client.throughput(url_sets[name], self.seconds)
                if errors:
                    self.stderr.write(f"{name}: {errors} errors on {url_sets[name]}")
                totals[name].append(rate)
        return {name: statistics.median(rates) for name, rates in totals.items()}

    def run_all(self, sqlite_url, sqlite_path, postgres_url, options):
        tracker_port, datasette_port = options["tracker_port"], options["datasette_port"]
        pages = self.pages(sqlite_path)
        results = {"pages": pages, "csv_rows": self.csv_rows, "rows": {}}
        _, datasette = self.start_datasette(sqlite_path, datasette_port)

        # SQLite, cache missing: every page computed.
        tracker_process, tracker = self.start_tracker(sqlite_url, "dummy://", tracker_port)
        results["ceiling_sqlite"] = self.ceiling(tracker)
        for name, tracker_url, datasette_url in pages:
            self.expect_ok(tracker, tracker_url, "tracker")
            self.expect_ok(datasette, datasette_url, "Datasette")
            self.stdout.write(f"SQLite, cache miss vs Datasette: {name}")
            rates = self.interleaved(
                {"tracker": tracker, "datasette": datasette},
                {"tracker": tracker_url, "datasette": datasette_url},
            )
            median, p95 = tracker.latency(tracker_url)
            d_median, d_p95 = datasette.latency(datasette_url)
            results["rows"][name] = {
                "sqlite_miss": rates["tracker"],
                "datasette": rates["datasette"],
                "sqlite_miss_ms": (median, p95),
                "datasette_ms": (d_median, d_p95),
            }
        self.stop(tracker_process)

        # SQLite, cache hitting (local memory, each worker warmed).
        tracker_process, tracker = self.start_tracker(sqlite_url, "", tracker_port)
        for name, tracker_url, _ in pages:
            for _ in range(WORKERS * 4):
                tracker.get(tracker_url)
            self.stdout.write(f"SQLite, cache hit: {name}")
            rate, _errors = tracker.throughput(tracker_url, self.seconds)
            results["rows"][name]["sqlite_hit"] = rate
        self.stop(tracker_process)

        if postgres_url:
            self.run_postgres(postgres_url, tracker_port, results)
        return results

    def run_postgres(self, postgres_url, port, results):
        process, tracker = self.start_tracker(postgres_url, "dummy://", port)
        results["ceiling_postgres"] = self.ceiling(tracker)
        for name, tracker_url, _ in self.postgres_pages(tracker, results["pages"]):
            self.stdout.write(f"PostgreSQL, cache miss: {name}")
            self.expect_ok(tracker, tracker_url, "tracker on PostgreSQL")
            rate, _errors = tracker.throughput(tracker_url, self.seconds)
            median, p95 = tracker.latency(tracker_url)
            row = results["rows"].setdefault(name, {})
            row.update(postgres_miss=rate, postgres_miss_ms=(median, p95))
        self.stop(process)
        process, tracker = self.start_tracker(postgres_url, "", port)
        for name, tracker_url, _ in self.postgres_pages(tracker, results["pages"]):
            for _ in range(WORKERS * 4):
                tracker.get(tracker_url)
            self.stdout.write(f"PostgreSQL, cache hit: {name}")
            rate, _errors = tracker.throughput(tracker_url, self.seconds)
            results["rows"][name]["postgres_hit"] = rate
        self.stop(process)

    def postgres_pages(self, tracker, pages):
        """The SQLite pages, and site search (a common term) as PostgreSQL has it."""
        return [*pages, ("search (common term)", f"/search/?q={COMMON_TERM}", None)]

    def ceiling(self, tracker):
        """req/s of a trivial view returning a table page's worth of bytes."""
        size = len(self.expect_ok(tracker, "/transfers/", "tracker"))
        rate, _ = tracker.throughput(f"/bench/ceiling/?size={size}", self.seconds)
        return rate

    # --- Report ---------------------------------------------------------------------

    def report(self, results):
        rows = results["rows"]
        lines = [
            "## The tracker against Datasette (`make bench`: bench_compare)",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
            f"{BENCH_TRANSFERS:,} synthetic transfers. Tracker: gunicorn, {WORKERS} workers "
            f"of {THREADS} threads, production settings. Datasette "
            f"{self.datasette_version()}: `suggest_facets off`, 200 ms facet limit. "
            f"Same client (new connection per request), {CONCURRENCY} concurrent, "
            f"{ROUNDS} interleaved slices of {self.seconds:g} s per server and page, "
            "throughput their median. "
            "Cache miss = `CACHE_URL=dummy://` (every page and facet computed); "
            "cache hit = local-memory cache, warmed. Latency: one request at a time.",
            "",
            "| Page | Datasette req/s | Tracker SQLite miss req/s | ratio | "
            "miss median / p95 ms | Datasette median ms | SQLite hit req/s | "
            "PostgreSQL miss req/s | PG median / p95 ms | PostgreSQL hit req/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]

        def number(value, digits=1):
            return "–" if value is None else f"{value:,.{digits}f}"

        for name, row in rows.items():
            ratio = (
                row["sqlite_miss"] / row["datasette"]
                if row.get("datasette") and row.get("sqlite_miss") is not None
                else None
            )
            miss_ms = row.get("sqlite_miss_ms")
            pg_ms = row.get("postgres_miss_ms")
            lines.append(
                f"| {name} | {number(row.get('datasette'))} | {number(row.get('sqlite_miss'))} "
                f"| {number(ratio, 2)} "
                f"| {f'{miss_ms[0]:.0f} / {miss_ms[1]:.0f}' if miss_ms else '–'} "
                f"| {number(row.get('datasette_ms', (None,))[0], 0)} "
                f"| {number(row.get('sqlite_hit'))} | {number(row.get('postgres_miss'))} "
                f"| {f'{pg_ms[0]:.0f} / {pg_ms[1]:.0f}' if pg_ms else '–'} "
                f"| {number(row.get('postgres_hit'))} |"
            )
        lines += [
            "",
            f"Trivial-view ceiling: {number(results.get('ceiling_sqlite'))} req/s (SQLite "
            f"server), {number(results.get('ceiling_postgres'))} req/s (PostgreSQL server).",
            f"The CSV holds {results['csv_rows']:,} rows in both tools.",
            "",
            "### Targets (issue 14)",
            "",
            *[f"- {line}" for line in self.targets(results)],
            "",
            "### The pages",
            "",
            "| Page | Tracker | Datasette |",
            "| --- | --- | --- |",
            *[
                f"| {name} | `{tracker}` | `{datasette}` |"
                for name, tracker, datasette in results["pages"]
            ],
            "",
        ]
        return "\n".join(lines) + "\n"

    def targets(self, results):
        rows = results["rows"]
        out = []
        for ceiling_name, hit_name in (
            ("ceiling_sqlite", "sqlite_hit"),
            ("ceiling_postgres", "postgres_hit"),
        ):
            ceiling = results.get(ceiling_name)
            if not ceiling:
                continue
            low = {name: row[hit_name] / ceiling for name, row in rows.items() if hit_name in row}
            missed = {name: share for name, share in low.items() if share < 0.5}
            verdict = "met" if not missed else "MISSED"
            detail = ", ".join(f"{name} {share:.0%}" for name, share in low.items())
            out.append(
                f"Cache hit ({hit_name.split('_')[0]}) ≥ 50% of the ceiling on every page: "
                f"{verdict} ({detail})."
            )
        for name, row in rows.items():
            if "datasette" not in row:
                continue
            ratio = row["sqlite_miss"] / row["datasette"] if row["datasette"] else 0
            median = row["sqlite_miss_ms"][0]
            verdict = "met" if ratio >= 1.0 and median < 300 else "MISSED"
            out.append(
                f"SQLite miss, {name}: ratio {ratio:.2f} (≥ 1.0), median {median:.0f} ms "
                f"(< 300): {verdict}."
            )
        pg_targets = (
            (PAGE_NAMES[0], 60, 150),
            ("search (common term)", 150, None),
            (PAGE_NAMES[4], 30, None),
        )
        for name, median_limit, p95_limit in pg_targets:
            row = rows.get(name, {})
            if "postgres_miss_ms" not in row:
                continue
            median, p95 = row["postgres_miss_ms"]
            ok = median < median_limit and (p95_limit is None or p95 < p95_limit)
            limit = f"median < {median_limit} ms" + (f", p95 < {p95_limit} ms" if p95_limit else "")
            out.append(
                f"PostgreSQL miss, {name}: median {median:.0f} ms, p95 {p95:.0f} ms "
                f"({limit}): {'met' if ok else 'MISSED'}."
            )
        return out

    @staticmethod
    def datasette_version():
        try:
            from importlib.metadata import version

            return version("datasette")
        except Exception:
            return "(not installed)"
