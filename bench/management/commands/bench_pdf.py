"""Time the PDF briefs: `make bench` (or `BENCH=1 manage.py bench_pdf`).

Everything happens in a throwaway database created for the run and dropped at
the end (a temporary SQLite file, or a `<name>_bench_pdf` PostgreSQL
database), so the developer's own data is never touched. The seed is loaded,
measured, then synthetic records (`manage.py synthesize`: slugs starting with
"synthetic-", titles saying "Synthetic") bring it to the requested size and
the briefs are measured again.

For each brief it prints the median and fastest of several first renderings
(through the full Django request cycle, as a browser would ask, with the
brief cache off so each is laid out), their median CPU time (the machine may
be shared), the time of a repeat served from the brief cache, the peak Python
memory of one render (tracemalloc), the number of SQL queries, and the PDF's
pages.
"""

import io
import logging
import re
import resource
import shutil
import statistics
import tempfile
import time
import tracemalloc
import warnings
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from cases import views
from cases.kinds import KINDS
from cases.models import (
    Agreement,
    Transfer,
)

HOST = "bench.localhost"
RECORD_BRIEF_TARGET_MS = 300
# Issue 12's targets (median, this machine): a 100-row table brief and the
# dossier of the seed.
TABLE_BRIEF_TARGET_MS = 500
DOSSIER_TARGET_MS = 1000
TABLE_BRIEF_ROWS = 100
# What `manage.py synthesize` makes: at least 71 actors, facilities, agreements
# and its source, then about 2.55 records (groups, events, statements, more
# actors...) per synthetic transfer.
SYNTHETIC_REFERENCE_RECORDS = 71
RECORDS_PER_SYNTHETIC_TRANSFER = 2.55


def positive_int(text):
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Benchmark the PDF briefs (record, 100-row table, dossier) at seed size and at "
        "--records records, in a throwaway database that is dropped afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--records",
            type=positive_int,
            default=10_000,
            help="Size of the large database, in records of all kinds (default 10,000).",
        )
        parser.add_argument(
            "--runs",
            type=positive_int,
            default=5,
            help="Timed renders per brief; the median is reported (default 5).",
        )

    def handle(self, *args, records, runs, **options):
        # Whitenoise warns once that `collectstatic` has not run; briefs read
        # static files from the project's folders, so that is beside the point.
        warnings.filterwarnings("ignore", message="No directory at")
        self.runs = runs
        self.client = Client(HTTP_HOST=HOST)
        # Requests are logged at INFO, one line each; the table is the output here.
        logging.disable(logging.INFO)
        # Static files as they are in the project (no collectstatic needed): the
        # fetcher reads them from disk either way.
        plain_static = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with (
            throwaway_database() as description,
            override_settings(ALLOWED_HOSTS=[HOST], STORAGES=plain_static),
        ):
            self.stdout.write(f"PDF briefs benchmark: {description}; median of {runs} renders.")
            call_command("load_seed", verbosity=0)
            # Briefs are for the newsroom (export permission, drafts shown): a
            # superuser holds every permission whatever the roles are.
            editor = get_user_model().objects.create_superuser("bench-editor")
            self.client.force_login(editor)
            self.measure_seed()
            self.synthesize(views.DOSSIER_RECORD_CAP)
            self.measure_dossier_at_its_cap()
            self.synthesize(records)
            self.measure_large()
        self.stdout.write(
            f"\nProcess peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )

    # --- Scenarios --------------------------------------------------------------

    def measure_seed(self):
        self.heading(f"Seed: {record_count():,} records")
        self.measure(
            "record brief (agreement)",
            "/agreements/safe-third-country/brief.pdf",
            target_ms=RECORD_BRIEF_TARGET_MS,
        )
        self.measure(
            "record brief (actor, most relations)",
            "/actors/nayib-bukele/brief.pdf",
            target_ms=RECORD_BRIEF_TARGET_MS,
        )
        self.measure("table brief (all actors)", "/actors/brief.pdf")
        self.measure("table brief (all transfers)", "/transfers/brief.pdf")
        self.measure("case dossier", "/dossier.pdf", target_ms=DOSSIER_TARGET_MS)
        moment = timezone.now().isoformat(timespec="seconds")
        self.measure(
            "case dossier as of a moment ago",
            "/dossier.pdf?" + urlencode({"as_of": moment}),
            target_ms=DOSSIER_TARGET_MS,
        )
        self.stdout.write(
            f"  (no seed table has {TABLE_BRIEF_ROWS} rows; the {TABLE_BRIEF_ROWS}-row "
            "table brief is measured at the larger size)"
        )

    def synthesize(self, records):
        """Replace any synthetic records with enough to make about `records` in all."""
        call_command("remove_synthetic", verbosity=0)
        extra = records - record_count() - SYNTHETIC_REFERENCE_RECORDS
        transfers = max(1, int(extra / RECORDS_PER_SYNTHETIC_TRANSFER))
        self.stdout.write(f"\nGenerating synthetic records ({transfers:,} transfers)...")
        call_command("synthesize", transfers=transfers, verbosity=0)

    def measure_dossier_at_its_cap(self):
        cap = views.DOSSIER_RECORD_CAP
        self.heading(
            f"Seed and synthetic: {record_count():,} records (the dossier prints up to {cap:,})"
        )
        self.measure("case dossier (near its cap)", "/dossier.pdf", runs=min(self.runs, 3))

    def measure_large(self):
        self.heading(f"Synthetic: {record_count():,} records")
        transfer = (
            Transfer.objects.published()
            .filter(slug__startswith="synthetic-", groups__isnull=False)
            .order_by("slug")
            .first()
        )
        self.measure(
            "record brief (transfer)",
            f"/transfers/{transfer.slug}/brief.pdf",
            target_ms=RECORD_BRIEF_TARGET_MS,
        )
        busiest = max(
            Agreement.objects.published(),
            key=lambda agreement: agreement.transfers.count(),
        )
        self.measure(
            f"record brief (agreement, {busiest.transfers.count()} transfers)",
            f"/agreements/{busiest.slug}/brief.pdf",
        )
        self.measure(
            f"table brief ({TABLE_BRIEF_ROWS} transfers)",
            "/transfers/brief.pdf?" + dated_transfers(TABLE_BRIEF_ROWS),
            target_ms=TABLE_BRIEF_TARGET_MS,
        )
        cap = views.TABLE_BRIEF_ROW_CAP
        self.measure(
            f"table brief (at its cap, {cap:,} transfers)",
            "/transfers/brief.pdf?" + dated_transfers(cap),
            runs=1,
        )
        if Transfer.objects.count() > cap:
            self.measure(
                "table brief (all transfers: over the cap)",
                "/transfers/brief.pdf",
                expect_pdf=False,
            )
        self.measure("case dossier (over its cap)", "/dossier.pdf", expect_pdf=False)

    # --- Measuring ------------------------------------------------------------

    def heading(self, text):
        self.stdout.write(f"\n{text}")
        self.stdout.write(
            f"  {'brief':<46} {'rows':>6} {'pages':>5} {'median':>9} {'fastest':>9} "
            f"{'cpu':>9} {'cached':>9} {'peak mem':>9} {'queries':>7}"
        )

    def measure(self, label, url, *, target_ms=None, runs=None, expect_pdf=True):
        """Time `url`'s first rendering (nothing kept in the brief cache, so
        every run lays the brief out), then a repeat served from the cache.
        `cpu` is this process's CPU time for a rendering (median): on a busy
        machine it says what the brief costs better than the wall clock."""
        runs = runs or self.runs
        with override_settings(BRIEF_CACHE_MAX_BYTES=0):
            # The first render counts the queries (and warms templates and fonts).
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = self.get(url)
            first_ms = (time.perf_counter() - started) * 1000
            # Counted now: the next request clears the connection's query log.
            query_count = len(queries)
            if expect_pdf != (response["Content-Type"] == "application/pdf"):
                raise CommandError(f"{url} gave {response.status_code} {response['Content-Type']}")
            timings = [first_ms] if runs == 1 else []
            cpu = []
            while len(timings) < runs:
                started, cpu_started = time.perf_counter(), time.process_time()
                self.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            tracemalloc.start()
            self.get(url)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        # The same request again, with the cache: the first keeps it, the second is timed.
        self.get(url)
        started = time.perf_counter()
        self.get(url)
        cached_ms = (time.perf_counter() - started) * 1000

        rows, pages = "", ""
        if expect_pdf:
            reader = PdfReader(io.BytesIO(response.content))
            pages = len(reader.pages)
            found = re.search(r"([\d,]+) rows?\.", reader.pages[0].extract_text())
            rows = found.group(1) if found else ""
        else:
            label = f"{label} -> message"
        median = statistics.median(timings)
        cpu_ms = f"{statistics.median(cpu):>6.0f} ms" if cpu else f"{'':>9}"
        verdict = ""
        if target_ms:
            verdict = f"  target < {target_ms} ms: {'met' if median < target_ms else 'MISSED'}"
        self.stdout.write(
            f"  {label:<46} {rows:>6} {pages!s:>5} {median:>6.0f} ms {min(timings):>6.0f} ms "
            f"{cpu_ms} {cached_ms:>6.0f} ms {peak / 2**20:>5.1f} MiB {query_count:>7}{verdict}"
        )

    def get(self, url):
        # Over HTTPS, as in production (plain HTTP would be redirected).
        response = self.client.get(url, secure=True)
        if response.status_code >= 500:
            raise CommandError(f"{url} failed with {response.status_code}")
        return response


def record_count():
    return sum(kind.model.objects.count() for kind in KINDS)


def dated_transfers(rows):
    """A date range (as GET parameters) holding at most `rows` transfers (the
    benchmark reads as an editor, who sees drafts too): the first `rows`
    dated ones, less any that share their last day with the next one."""
    dates = list(
        Transfer.objects.exclude(date=None)
        .order_by("date")
        .values_list("date", flat=True)[: rows + 1]
    )
    last = dates[min(rows, len(dates)) - 1]
    if len(dates) > rows and dates[rows] == last:
        last -= timedelta(days=1)
    return f"date_after={dates[0].isoformat()}&date_before={last.isoformat()}"


@contextmanager
def throwaway_database():
    """Run on a new, empty database that is dropped afterwards, whatever
    DATABASE_URL names: the benchmark never writes to real data."""
    settings_dict = connection.settings_dict
    folder = None
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-pdf-")
        settings_dict["TEST"]["NAME"] = f"{folder}/bench.sqlite3"
        description = "SQLite (temporary file)"
    else:
        settings_dict["TEST"]["NAME"] = f"{settings_dict['NAME']}_bench_pdf"
        description = f"{connection.vendor} (temporary database {settings_dict['TEST']['NAME']})"
    original_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    try:
        yield description
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
