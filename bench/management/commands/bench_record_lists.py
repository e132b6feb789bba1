"""Time and memory of one heavily cited record: `make bench-record-lists`
(part of `make bench`), or `BENCH=1 manage.py bench_record_lists`.

At 100,000 synthetic transfers the synthetic source is quoted about 255,750
times (issue 28: its brief grew a worker to 14.4 GB, its page took 99 s and
194 MB). Each request here runs in a process of its own, forked for it, so
the peak memory reported (the child's maximum resident set, from wait4) is
that request's alone, on top of what the process held before it: the
page, its brief, the sources table's three exports, the paged table of the
source's quotes, and that table's own exports.

It reads the database of BENCH_DATABASE_URL as `make bench-http` leaves it
(100,000 synthetic transfers; run that first or `manage.py synthesize`), and
writes docs/performance-record-lists.md.
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from cases.models import Citation, Source

HOST = "bench.localhost"
SYNTHETIC_SOURCE_SLUG = "synthetic-data"
ROOT = Path(settings.BASE_DIR)


def resident_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Command(BaseCommand):
    help = "Time and memory of the page, brief and exports of a source quoted 255,750 times."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(ROOT / "docs" / "performance-record-lists.md"))
        parser.add_argument("--source", default=SYNTHETIC_SOURCE_SLUG)

    def handle(self, *args, output, source, **options):
        record = Source.objects.filter(slug=source).first()
        if record is None:
            raise CommandError(
                f"No source {source!r}: load synthetic data first (make bench-http, or "
                "manage.py synthesize --transfers 100000)."
            )
        quotes = Citation.objects.filter(source=record).count()
        editor = get_user_model().objects.filter(username="bench-editor").first()
        if editor is None:
            editor = get_user_model().objects.create_superuser("bench-editor")
        base = record.get_absolute_url()
        requests = [
            ("Source page", base),
            ("Source page, junk parameter (no cache)", f"{base}?junk=1"),
            ("Source brief (PDF)", f"{base}brief.pdf"),
            ("Sources table, JSON export", "/sources/?_export=json"),
            ("Sources table, CSV export", "/sources/?_export=csv"),
            ("Sources table, citations.csv", "/sources/?_export=citations.csv"),
            ("Its quotes, table page 1", f"/citations/?source={source}"),
            ("Its quotes, table page 5,000", f"/citations/?source={source}&page=5000"),
            ("Its quotes, CSV export (every quote)", f"/citations/?source={source}&_export=csv"),
        ]
        lines = [
            "# One heavily cited record (make bench-record-lists)",
            "",
            f"The source `{source}`, quoted {quotes:,} times; RECORD_LIST_LIMIT "
            f"{settings.RECORD_LIST_LIMIT}, EXPORT_TIME_LIMIT_S {settings.EXPORT_TIME_LIMIT_S}. "
            "Each request in a process of its own (in-process Django client, DEBUG off); "
            "memory is that process's peak resident set less what it held before the request. "
            f"Load average when it started: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
            "",
            "| Request | Status | Time | Peak memory added | Bytes | Queries |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for label, url in requests:
            result = self.measure(url, editor)
            line = (
                f"| {label} | {result['status']} | {result['seconds']:.2f} s | "
                f"{result['added_mib']:.0f} MiB | {result['bytes']:,} | {result['queries']} |"
            )
            self.stdout.write(line)
            lines.append(line)
        Path(output).write_text("\n".join(lines) + "\n")
        self.stdout.write(f"Wrote {output}")

    def measure(self, url, editor):
        """One request in a forked child: its time, status, bytes, queries
        and the memory it added (peak resident set less the resident set
        before it)."""
        for alias in connections:
            connections[alias].close()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: one request, then report and leave
            os.close(read)
            code = 0
            try:
                report = self.child_request(url, editor)
            except BaseException as error:  # noqa: BLE001 - reported to the parent
                report = f"error {type(error).__name__}: {error}"
                code = 1
            os.write(write, report.encode())
            os.close(write)
            os._exit(code)
        os.close(write)
        with os.fdopen(read) as pipe:
            report = pipe.read()
        _pid, _status, usage = os.wait4(pid, 0)
        if report.startswith("error"):
            raise CommandError(f"{url}: {report}")
        status, seconds, size, queries, before_kib = report.split()
        return {
            "status": int(status),
            "seconds": float(seconds),
            "bytes": int(size),
            "queries": int(queries),
            "added_mib": (usage.ru_maxrss - int(before_kib)) / 1024,
        }

    def child_request(self, url, editor):
        with override_settings(ALLOWED_HOSTS=[HOST]):
            client = Client(HTTP_HOST=HOST)
            client.force_login(editor)
            connection.ensure_connection()
            before = resident_kib()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
                size = 0
                if response.streaming:
                    for chunk in response.streaming_content:
                        size += len(chunk)
                    response.close()
                else:
                    size = len(response.content)
            seconds = time.perf_counter() - started
        return (
            f"{response.status_code} {seconds:.3f} {size} {len(captured.captured_queries)} {before}"
        )
