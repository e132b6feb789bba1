"""Hostile requests over every route: `make fuzz` (outside CI), or
`BENCH=1 manage.py fuzz --requests 10000`.

Walks the site's URL patterns (every page, table, record, brief, feed, the
table of quotes, the API, the reconciliation service, the data package,
admin's pages, login), fills each path's slug with a real record's or a
hostile one (admin's: a real row's key and history entry, or a hostile one),
and adds hostile query parameters: the ones the views read and random ones,
with random text, huge and negative numbers, odd dates, NUL bytes, bytes that
are not UTF-8, markup, JSON and SQL. The routes that take a POST (login, the
language, reconciliation) get half of theirs as one; the API now and then a
bogus Authorization header. Half the requests are anonymous, half an
editor's. Counts the answers by status, by role and by family of routes, and
lists every 5xx but the documented 503s (an export slot taken,
"Retry-After"; the database away). Exits 1 when there is any other 5xx.

In-process (Django's test client, DEBUG off), against the database of
DATABASE_URL as it is: the seed (`make fuzz` loads it into its own
database) or bench-http's 100,000 synthetic transfers.
"""

import logging
import random
import sys
import time
from collections import Counter
from urllib.parse import quote_from_bytes, urlencode

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from cases import roles
from cases.kinds import KINDS

HOST = "fuzz.localhost"
PARAMETERS = [
    "q", "page", "per_page", "sort", "_export", "destination", "agreement", "date_after",
    "date_before", "claim_status", "affiliation", "accusation", "facility", "status", "party",
    "kind", "country", "occurrence", "participant", "speaker", "source", "record",
    "attributed_to", "as_of", "paper", "lang", "undated_page", "next", "o", "p", "all",
    # The API's, the reconciliation service's and admin's own.
    "_size", "_next", "_extra", "queries", "callback", "id", "prefix", "type", "limit",
    "_changelist_filters", "_popup", "_to_field", "e", "language",
]  # fmt: skip
HOSTILE_VALUES = [
    "", "-1", "0", "1e9", "NaN", "2025-02-30", "0000-00-00", "99999-01-01", "cecot",
    "-date", "title,-date,nonsense", "csv", "json", "citations.csv", "xlsx", "\x00",
    "' OR 1=1 --", "<script>alert(1)</script>", "9" * 1000, str(2**63), str(-(2**63)),
    "transfer:handover-of-17-to-cecot", "source:synthetic-data", "transfer:../../etc",
    "2025-04-14T10:00:00Z", "2025-04-14T25:99", "1970-01-01", "../../../../etc/passwd",
    "%00", "\ud7ff\ue000", "é" * 300, "a" * 1000, "{{7*7}}", "${jndi:ldap://x}",
    "synthetic-data", "es", "en", "xx", "letter", "a4", "3920", "10000", "401",
    '{"q0": {"query": "cecot", "limit": 1e9}}', '{"q0": {"query": "x", "type": "nope"}}',
    '{"q0": {"query": {"a": 1}, "limit": -1}}', '{"q0": null}', "[1, 2]", "{" * 500,
    "transfers/handover-of-17-to-cecot", "id__gt", "1.2.3", "__str__",
]  # fmt: skip
# What a path's parameter is filled with when it is not a real record's.
HOSTILE_PATH_VALUES = ["no-such-record", "a" * 300, "a" * 1000, "x--y", "_", "0", "-1", "%00"]
# Routes that answer POST as well, posted to now and then with the same
# hostile fields (admin's forms are not: a fuzz must not delete the data it
# walks over).
POSTED = ("reconcile", "accounts/login/", "admin/login/", "i18n/setlang/")
DOCUMENTED_503 = ("Too many exports are running", "temporarily unavailable")
# gunicorn refuses a request line longer than this itself (its
# limit_request_line, 4094 bytes by default; make serve keeps it), so no
# longer URL reaches the site: such a request is counted as gunicorn's 400.
MAX_REQUEST_LINE = 4094


def routes():
    """Every URL pattern of the site as (path template, its converters), admin included."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return found


def family(template, url):
    """The family of routes a request belongs to, for the report."""
    if "_export=" in url and not template.startswith(("admin", "api")):
        return "exports"
    if template.startswith("admin/"):
        if "history" in template:
            return "admin history"
        if template.endswith(("<path:object_id>/", "change/")):
            return "admin change forms"
        if template.startswith("admin/cases/") and template.count("/") == 3:
            return "admin changelists"
        return "admin, other"
    for prefix, name in (
        ("api/", "API"),
        ("reconcile", "reconcile"),
        ("data/", "data package"),
        ("feeds/", "feeds"),
        ("citations/", "citations"),
        ("search/", "search"),
        ("dossier.pdf", "briefs"),
        ("accounts/", "login"),
    ):
        if template.startswith(prefix):
            return name
    if template.endswith("brief.pdf"):
        return "briefs"
    if "<slug:slug>" in template:
        return "record pages"
    if any(template == f"{kind.url_prefix}/" for kind in KINDS):
        return "record tables"
    return "other pages"


class Command(BaseCommand):
    help = "Hostile requests over every route; counts answers by status; fails on any 5xx but 503."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=10_000)
        parser.add_argument("--random-seed", type=int, default=28)
        parser.add_argument(
            "--seed-database",
            action="store_true",
            help="Create DATABASE_URL's database if missing, migrate it and load the seed first.",
        )

    def handle(self, *args, requests, random_seed, seed_database, **options):
        # Every refused request would log a warning (and each 500 a traceback):
        # the report below says what matters.
        logging.disable(logging.CRITICAL)
        if seed_database:
            from bench.management.commands.bench_http import ensure_database

            ensure_database()
            call_command("migrate", interactive=False, verbosity=0)
            call_command("load_seed", verbosity=0)
        rng = random.Random(random_seed)
        self.rng = rng
        self.slugs = {
            kind.url_prefix: list(
                kind.model.objects.order_by("?").values_list("slug", flat=True)[:50]
            )
            for kind in KINDS
        }
        # Admin's pages of real rows, and their history entries.
        self.pks, self.history_ids = {}, {}
        for model in admin.site._registry:
            name = model._meta.model_name
            rows = model._default_manager.order_by("pk")
            self.pks[name] = [
                *rows.values_list("pk", flat=True)[:25],
                *rows.reverse().values_list("pk", flat=True)[:25],
            ]
            if hasattr(model, "history"):
                self.history_ids[name] = list(
                    model.history.order_by("-history_id").values_list("history_id", flat=True)[:50]
                )
        templates = [path for path in routes() if not path.startswith(("static", "media"))]
        editor = self.editor()
        anonymous, logged_in = Client(HTTP_HOST=HOST), Client(HTTP_HOST=HOST)
        logged_in.force_login(editor)
        for client in (anonymous, logged_in):
            client.raise_request_exception = False
        statuses, by_role, failures, slowest = Counter(), Counter(), [], []
        by_family = Counter()
        started = time.monotonic()
        with override_settings(ALLOWED_HOSTS=[HOST], EXPORT_TIME_LIMIT_S=10):
            for number in range(requests):
                role = "editor" if number % 2 else "anonymous"
                client = logged_in if role == "editor" else anonymous
                template = rng.choice(templates)
                url = self.url(template)
                route_family = family(template, url)
                if len(f"GET {url} HTTP/1.1") > MAX_REQUEST_LINE:
                    statuses["400 (gunicorn: request line too long)"] += 1
                    by_role[(role, 4)] += 1
                    by_family[(route_family, 4)] += 1
                    continue
                headers = {}
                if template.startswith("api/") and rng.random() < 0.2:
                    headers["Authorization"] = rng.choice(
                        ["Bearer " + self.text(60), "Token x", "Basic ???", "Bearer "]
                    )
                began = time.monotonic()
                try:
                    if template.startswith(POSTED) and rng.random() < 0.5:
                        path, _, query = url.partition("?")
                        response = client.post(
                            path, query, content_type="application/x-www-form-urlencoded"
                        )
                    else:
                        response = client.get(url, headers=headers)
                    if response.streaming:
                        for _ in response.streaming_content:
                            pass
                        response.close()
                        body = b""
                    else:
                        body = response.content
                except Exception as error:  # noqa: BLE001 - a crash is a finding
                    failures.append((role, url, f"raised {type(error).__name__}: {error}"))
                    statuses["raised"] += 1
                    continue
                took = time.monotonic() - began
                slowest = sorted([*slowest, (took, url)], reverse=True)[:5]
                status = response.status_code
                statuses[status] += 1
                by_role[(role, status // 100)] += 1
                by_family[(route_family, status // 100)] += 1
                documented = status == 503 and any(text.encode() in body for text in DOCUMENTED_503)
                if status >= 500 and not documented:
                    failures.append((role, url, status))
                if options.get("verbosity", 1) > 1:
                    self.stdout.write(f"{status} {took:.2f}s {role} {url[:150]}")
                if (number + 1) % 1000 == 0:
                    self.stdout.write(
                        f"  {number + 1:,} requests ({time.monotonic() - started:.0f} s)"
                    )
        self.report(
            requests, statuses, by_role, by_family, failures, slowest, time.monotonic() - started
        )
        if failures:
            sys.exit(1)

    def editor(self):
        user, _created = get_user_model().objects.get_or_create(
            username="fuzz-editor", defaults={"is_staff": True}
        )
        user.groups.add(Group.objects.get(name=roles.EDITORS))
        return user

    def url(self, template):
        rng = self.rng
        path = "/" + template
        model_name = template.split("/")[2] if template.startswith("admin/cases/") else ""
        # Admin's regular-expression routes: the app index, simple-history's
        # page of one history entry, and the catch-all.
        path = path.replace("(?P<app_label>auth|axes|cases)", rng.choice(["auth", "axes", "cases"]))
        path = path.replace("(?P<url>.*)", rng.choice(HOSTILE_PATH_VALUES))
        if "([^/]+)" in path:
            pk = self.real_or_hostile(self.pks.get(model_name))
            history_id = self.real_or_hostile(self.history_ids.get(model_name))
            path = path.replace("([^/]+)", pk, 1).replace("([^/]+)", history_id, 1)
        while "<" in path:
            start, end = path.index("<"), path.index(">")
            converter = path[start + 1 : end]
            prefix = path[:start].strip("/").split("/")[-1] if path[:start].strip("/") else ""
            if converter.startswith("slug") and rng.random() < 0.7 and self.slugs.get(prefix):
                value = rng.choice(self.slugs[prefix])
            elif converter == "path:object_id" and model_name:
                value = self.real_or_hostile(self.pks.get(model_name))
            elif converter.startswith(("int", "path")) and rng.random() < 0.5:
                value = str(rng.choice([1, 2, 10**12, 0]))
            else:
                value = rng.choice(HOSTILE_PATH_VALUES)
            path = path[:start] + value + path[end + 1 :]
        path = path.replace("^", "").replace("$", "")
        pairs = [
            (
                rng.choice(PARAMETERS) if rng.random() < 0.85 else self.text(20),
                rng.choice(HOSTILE_VALUES) if rng.random() < 0.7 else self.text(200),
            )
            for _ in range(rng.randint(0, 6))
        ]
        if rng.random() < 0.1:
            raw = "&".join(
                f"{quote_from_bytes(key.encode())}={quote_from_bytes(rng.randbytes(12))}"
                for key, _value in pairs
            )
            return f"{path}?{raw}" if raw else path
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def real_or_hostile(self, values):
        """Mostly one of `values` (a real row's key), else a hostile one."""
        if values and self.rng.random() < 0.7:
            return str(self.rng.choice(values))
        return self.rng.choice([*HOSTILE_PATH_VALUES, str(2**63), "1.5"])

    def text(self, length):
        rng = self.rng
        alphabet = "aZ09 -_:/%&=?#<>\"'\\\u00e9\u4e2d\U0001f600\x01\x7f"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, length)))

    def report(self, requests, statuses, by_role, by_family, failures, slowest, seconds):
        self.stdout.write(f"\n{requests:,} requests in {seconds:.0f} s")
        for status, count in sorted(statuses.items(), key=lambda item: str(item[0])):
            self.stdout.write(f"  {status}: {count:,}")
        for role in ("anonymous", "editor"):
            counts = ", ".join(
                f"{klass}xx {by_role[(role, klass)]:,}"
                for klass in (2, 3, 4, 5)
                if by_role[(role, klass)]
            )
            self.stdout.write(f"  as {role}: {counts}")
        self.stdout.write("  by route family:")
        for name in sorted({name for name, _klass in by_family}):
            counts = {klass: by_family[(name, klass)] for klass in (2, 3, 4, 5)}
            self.stdout.write(
                f"    {name}: {sum(counts.values()):,} ("
                + ", ".join(f"{klass}xx {count:,}" for klass, count in counts.items() if count)
                + ")"
            )
        self.stdout.write(
            "  slowest: " + "; ".join(f"{took:.1f} s {url[:80]}" for took, url in slowest)
        )
        self.stdout.write(f"5xx other than the documented 503s: {len(failures)}")
        for role, url, status in failures[:50]:
            self.stdout.write(f"  {status} as {role}: {url[:300]}")
