"""Prove on loopback what the deployment in docs/deploy.md promises, with
printed figures, against the cluster `make cluster` started (`make
cluster-check` starts it, runs this, and stops it):

1. anonymous page reads are served by the replica (pg_stat_statements on
   each server counts the queries on the app's tables);
2. an admin's correction is on that admin's next page at once, with the
   replica held behind (pg_wal_replay_pause), and on an anonymous reader's
   page once the replica has replayed it;
3. a hot page under load is served by nginx from its cache (hit ratio >= 90%);
4. killing one app server (SIGKILL, workers and all) during a 30 s load run
   fails no request;
5. stopping the replica during a load run: reads fall back to the primary
   within seconds, at most 1% of requests get the site's 503 and none a 500;
   starting it again sends reads back;
6. with both app servers stopped, nginx serves the pages it has (stale-if-error)
   and a clear 503 for the rest.

Run with DATABASE_URL pointing at the cluster's primary (the Makefile does);
exits non-zero if any check fails. Tooling: nothing of the app imports it.
"""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie
from itertools import count
from urllib.parse import urlencode

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError

from bench.load import ChangeFormParser, Loopback
from bench.management.commands.bench_http import ensure_correction_target
from cases.history import ChangeKind

HOST = "127.0.0.1"
PRIMARY_PORT = int(os.environ.get("CLUSTER_PRIMARY_PORT", "5433"))
REPLICA_PORT = int(os.environ.get("CLUSTER_REPLICA_PORT", "5434"))
APP_PORTS = [int(p) for p in os.environ.get("CLUSTER_APP_PORTS", "8131,8132").split(",")]
PROXY_PORT = int(os.environ.get("CLUSTER_PROXY_PORT", "8130"))
CLUSTER = [sys.executable, str(settings.BASE_DIR / "deploy" / "cluster.py")]
TARGET = "cluster-check-target"
# Pages a reader opens; a unique query string makes each request a cache
# miss (nginx's and the app's), so it reaches an app server and a database.
READER_PAGES = ["/", "/transfers/", "/facilities/", "/corrections/"]
# What the app's own tables' queries look like in pg_stat_statements.
APP_QUERIES = (
    "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
    "WHERE query LIKE '%%cases\\_%%' AND query NOT LIKE '%%pg_stat_statements%%'"
)


def server(port):
    return psycopg.connect(
        f"postgresql://postgres@{HOST}:{port}/tracker", autocommit=True, connect_timeout=5
    )


def sql(port, statement):
    with server(port) as connection:
        return connection.execute(statement).fetchone()[0]


def app_queries(port):
    return int(sql(port, APP_QUERIES))


def cluster(*args):
    subprocess.run([*CLUSTER, *args], check=True, stdout=subprocess.DEVNULL)


class Load:
    """`clients` readers requesting pages through `port` for `seconds`; each
    result is (seconds since the start, status, X-Cache-Status)."""

    def __init__(self, port, clients, seconds, urls):
        self.loopback = Loopback(HOST, port)
        self.clients, self.seconds, self.urls = clients, seconds, urls
        self.results, self.lock, self.numbers = [], threading.Lock(), count()
        self.finished = []

    def reader(self):
        while (now := time.monotonic() - self.started) < self.seconds:
            url = self.urls(next(self.numbers))
            try:
                status, headers, *_ = self.loopback.request("GET", url, timeout=30, cookie="")
                cache_status = headers.get("X-Cache-Status", "-")
            except OSError as error:
                status, cache_status = f"failed ({error.__class__.__name__})", "-"
            with self.lock:
                self.results.append((now, status, cache_status))
                self.finished.append(time.monotonic() - self.started)

    def run(self, events=()):
        """Run the load; `events` are (seconds, function) called meanwhile."""
        self.started = time.monotonic()
        threads = [threading.Thread(target=self.reader) for _ in range(self.clients)]
        for thread in threads:
            thread.start()
        for at, event in events:
            time.sleep(max(0.0, at - (time.monotonic() - self.started)))
            event()
        for thread in threads:
            thread.join()
        return self.results


def misses(run):
    """URLs no earlier request asked for (so neither nginx nor the app has
    them): each run of the check has its own."""
    label = f"{run}-{time.time():.0f}"

    def url(number):
        page = READER_PAGES[number % len(READER_PAGES)]
        return f"{page}?{urlencode({'cluster_check': f'{label}-{number}'})}"

    return url


def reads_again_from_primary():
    """How many requests met a database going away (the app servers log each)."""
    logs = (settings.BASE_DIR / ".cluster").glob("app-*.log")
    return sum(log.read_text().count('"database unavailable"') for log in logs)


def statuses(results):
    return Counter(status for _, status, _ in results)


class Command(BaseCommand):
    help = "Prove the loopback cluster's promises (make cluster-check)."

    def handle(self, *args, **options):
        self.failures = []
        self.prepare()
        for check in (
            self.replica_serves_reads,
            self.read_your_writes,
            self.hot_page_from_proxy_cache,
            self.app_server_killed,
            self.replica_stopped,
            self.app_servers_down,
        ):
            self.stdout.write(f"\n{check.__doc__.strip().splitlines()[0]}")
            check()
        if self.failures:
            raise CommandError(f"{len(self.failures)} check(s) failed: {'; '.join(self.failures)}")
        self.stdout.write(self.style.SUCCESS("\nEvery check passed."))

    def figure(self, text):
        self.stdout.write(f"  {text}")

    def verdict(self, ok, what):
        self.stdout.write(("  ok   " if ok else "  FAIL ") + what)
        if not ok:
            self.failures.append(what)

    def prepare(self):
        """An admin's session, and a fictional record for it to correct."""
        user_model = get_user_model()
        admin = user_model.objects.filter(username="cluster-check-admin").first()
        if admin is None:
            admin = user_model.objects.create_superuser("cluster-check-admin")
        session = SessionStore()
        session["_auth_user_id"] = str(admin.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = admin.get_session_auth_hash()
        session.create()
        self.admin_cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        self.target = ensure_correction_target(
            TARGET, "Cluster check target (fictional)", by="make cluster-check"
        )
        # The replica has what the check just wrote before it starts.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if sql(REPLICA_PORT, f"SELECT count(*) FROM cases_facility WHERE slug = '{TARGET}'"):
                break
            time.sleep(0.2)

    def replica_serves_reads(self):
        """1. Anonymous page reads are served by the replica."""
        requests = 40
        for port in (PRIMARY_PORT, REPLICA_PORT):
            sql(port, "SELECT pg_stat_statements_reset()")
        answers, url = Counter(), misses("replica-reads")
        for number in range(requests):
            port = APP_PORTS[number % len(APP_PORTS)]
            answers[Loopback(HOST, port).request("GET", url(number), cookie="")[0]] += 1
        on_replica, on_primary = app_queries(REPLICA_PORT), app_queries(PRIMARY_PORT)
        self.figure(
            f"{requests} anonymous page requests to the app servers ({dict(answers)}): "
            f"the replica ran {on_replica} queries on the app's tables, the primary {on_primary}"
        )
        self.verdict(
            answers == {200: requests} and on_replica >= requests and on_primary == 0,
            "anonymous reads are served by the replica, none by the primary",
        )

    def save_correction(self, text):
        """An admin's correction through the proxy, as a browser sends it;
        the cookies it leaves (the session's, and the primary pin)."""
        admin = Loopback(HOST, PROXY_PORT, cookie=self.admin_cookie)
        change_url = f"/admin/cases/facility/{self.target.pk}/change/"
        status, headers, body, *_ = admin.request("GET", change_url)
        if status != 200:
            raise CommandError(f"The admin change form answered {status}.")
        csrf = SimpleCookie(headers.get("Set-Cookie", "")).get("csrftoken")
        parser = ChangeFormParser("facility_form")
        parser.feed(body.decode())
        fields = [pair for pair in parser.fields if pair[0] not in ("change_reason", "change_kind")]
        for pair in fields:
            if pair[0] == "description":
                pair[1] = text
        fields += [["change_kind", ChangeKind.CORRECTION], ["change_reason", "cluster check"]]
        cookie = f"{self.admin_cookie}; csrftoken={csrf.value}" if csrf else self.admin_cookie
        status, headers, *_ = admin.request(
            "POST",
            change_url,
            body=urlencode([tuple(pair) for pair in fields]),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            cookie=cookie,
        )
        if status != 302:
            raise CommandError(f"The admin's correction answered {status}, not a redirect.")
        pin = SimpleCookie()
        for value in headers.get_all("Set-Cookie") or ():
            pin.load(value)
        pinned = "pin_primary" in pin
        return (f"{self.admin_cookie}; pin_primary=y" if pinned else self.admin_cookie), pinned

    def read_your_writes(self):
        """2. An admin's correction: on the admin's next page at once, on a reader's once replayed."""
        text = f"Corrected by make cluster-check at {time.time():.0f} (fictional)."
        page = self.target.get_absolute_url()
        sql(REPLICA_PORT, "SELECT pg_wal_replay_pause()")
        try:
            admin_cookie, pinned = self.save_correction(text)
            started = time.monotonic()
            admin_page = Loopback(HOST, PROXY_PORT).request("GET", page, cookie=admin_cookie)[2]
            admin_seconds = time.monotonic() - started
            reader_page = Loopback(HOST, APP_PORTS[0]).request("GET", page, cookie="")[2]
        finally:
            sql(REPLICA_PORT, "SELECT pg_wal_replay_resume()")
        resumed = time.monotonic()
        self.figure(
            f"replica paused; the admin's save set the primary pin cookie: {pinned}; the "
            f"admin's next page ({admin_seconds * 1000:.0f} ms) shows it: {text in admin_page.decode()}; "
            f"a reader's page from the paused replica shows it: {text in reader_page.decode()}"
        )
        seen = {}
        deadline = resumed + 30
        while len(seen) < 2 and time.monotonic() < deadline:
            for name, port in (("app server", APP_PORTS[1]), ("proxy", PROXY_PORT)):
                if name not in seen:
                    body = Loopback(HOST, port).request("GET", page, cookie="")[2]
                    if text in body.decode():
                        seen[name] = time.monotonic() - resumed
            time.sleep(0.1)
        lag = sql(
            PRIMARY_PORT,
            "SELECT coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication",
        )
        self.figure(
            "after replay resumed, a reader saw it in "
            + ", ".join(f"{seconds:.1f} s from the {name}" for name, seconds in seen.items())
            + f" (replay lag now {float(lag) * 1000:.0f} ms; proxy s-maxage 5 s)"
        )
        self.verdict(
            pinned and text in admin_page.decode() and text not in reader_page.decode(),
            "the admin reads the correction at once while the replica is held behind",
        )
        self.verdict(len(seen) == 2, "readers see it once the replica has replayed it")

    def hot_page_from_proxy_cache(self):
        """3. A hot page under load is served by nginx from its cache."""
        results = Load(PROXY_PORT, clients=8, seconds=10, urls=lambda n: "/").run()
        caches = Counter(cache for _, _, cache in results)
        hits = caches["HIT"] + caches["UPDATING"] + caches["STALE"]
        ratio = hits / len(results) if results else 0
        self.figure(
            f"{len(results)} requests for / in 10 s ({len(results) / 10:.0f}/s) through nginx: "
            f"{dict(statuses(results))}; cache {dict(caches)}; hit ratio {ratio:.1%}"
        )
        self.verdict(
            ratio >= 0.9 and statuses(results) == {200: len(results)}, "hit ratio >= 90%, all 200"
        )

    def app_server_killed(self):
        """4. Killing one app server during a 30 s load run fails no request."""
        victim = APP_PORTS[0]
        killed = {}

        def kill():
            killed["at"] = time.monotonic()
            cluster("kill-app", str(victim))

        load = Load(PROXY_PORT, clients=6, seconds=30, urls=misses("app-killed"))
        results = load.run(events=[(10, kill)])
        at = killed["at"] - load.started
        answers = statuses(results)
        after = sum(1 for t, _, _ in results if t >= at)
        self.figure(
            f"{len(results)} requests (nginx cache misses) through nginx in 30 s; app server :{victim} "
            f"killed (SIGKILL) at {at:.1f} s, {after} requests after that; answers {dict(answers)}"
        )
        self.verdict(answers == {200: len(results)}, "no request failed")
        cluster("start-app", str(victim))

    def replica_stopped(self):
        """5. Stopping the replica during a load run: reads fall back to the primary, and come back."""
        marks = {}

        def stop_replica():
            marks["primary_before"] = app_queries(PRIMARY_PORT)
            marks["stopped"] = time.monotonic()
            cluster("stop-replica")

        def start_replica():
            marks["primary_down"] = app_queries(PRIMARY_PORT)
            cluster("start-replica")
            marks["started"] = time.monotonic()
            marks["replica_after_start"] = app_queries(REPLICA_PORT)

        reread_before = reads_again_from_primary()
        load = Load(PROXY_PORT, clients=6, seconds=30, urls=misses("replica-stopped"))
        results = load.run(events=[(8, stop_replica), (18, start_replica)])
        reread = reads_again_from_primary() - reread_before
        replica_back = app_queries(REPLICA_PORT) - marks["replica_after_start"]
        stopped = marks["stopped"] - load.started
        started = marks["started"] - load.started
        answers = statuses(results)
        unavailable = answers.get(503, 0)
        share = unavailable / len(results) if results else 1
        last_503 = max((t for t, status, _ in results if status == 503), default=None)
        down_window = [r for r in results if stopped + 3 <= r[0] < started]
        self.figure(
            f"{len(results)} requests (nginx cache misses) through nginx in 30 s; replica stopped at "
            f"{stopped:.1f} s, started at {started:.1f} s; answers {dict(answers)}"
        )
        self.figure(
            f"503s: {unavailable} ({share:.2%})"
            + (f", the last {last_503 - stopped:.1f} s after the stop" if last_503 else "")
            + f"; while it was down the primary ran "
            f"{marks['primary_down'] - marks['primary_before']} app queries "
            f"({len(down_window)} requests sent from 3 s after the stop until the start, "
            f"all answered 200: {all(r[1] == 200 for r in down_window)}); after it "
            f"started again the replica ran {replica_back}; reads whose replica went away "
            f"under them, read again from the primary (app servers' logs): {reread}"
        )
        per_second = Counter(int(t) for t in load.finished)
        self.figure(
            "answers per second: " + " ".join(str(per_second[s]) for s in range(load.seconds + 1))
        )
        other = {status: n for status, n in answers.items() if status not in (200, 503)}
        self.verdict(not other, "no 500 nor any other failure")
        self.verdict(share <= 0.01, "at most 1% answered the documented 503")
        self.verdict(
            marks["primary_down"] > marks["primary_before"]
            and len(down_window) > 0
            and all(status == 200 for _, status, _ in down_window),
            "reads fell back to the primary within 3 s",
        )
        self.verdict(replica_back > 0, "reads went back to the replica once it was started")

    def app_servers_down(self):
        """6. Both app servers stopped: cached pages from nginx (stale-if-error), a 503 for the rest."""
        proxy = Loopback(HOST, PROXY_PORT)
        warm = ["/", "/transfers/", "/facilities/", self.target.get_absolute_url()]
        for url in warm:
            proxy.request("GET", url, cookie="")
            proxy.request("GET", url, cookie="")
        for port in APP_PORTS:
            cluster("stop-app", str(port))
        # Past the pages' s-maxage (5 s): each is stale now.
        time.sleep(6)
        cached = [proxy.request("GET", url, cookie="") for url in warm]
        served = Counter(
            f"{status} {headers.get('X-Cache-Status', '-')}" for status, headers, *_ in cached
        )
        status, _, body, *_ = proxy.request("GET", "/transfers/?never=cached", cookie="")
        self.figure(
            f"both app servers stopped; {len(warm)} pages seen before: {dict(served)}; "
            f"a page never seen: {status}"
        )
        self.verdict(served == {"200 STALE": len(warm)}, "pages seen before are served stale")
        self.verdict(
            status == 503 and b"temporarily unavailable" in body, "the rest get a clear 503 page"
        )
