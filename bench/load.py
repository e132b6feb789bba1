"""Load tools for `make bench` (bench_http): the unfiltered export timed to
its first byte and to its end, the home page's latency while exports run,
and a bounded load test over loopback, alone and while an admin saves a
correction every second through the admin's own form.

Only the bench imports this module (its name starts with an underscore, so
it is not a command); nothing here runs in the app.
"""

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from cases.history import ChangeKind

# An unfiltered export at 100,000 rows may take long: the bench waits for it
# (and reports how long) rather than counting a slow answer as an error.
EXPORT_TIMEOUT = 180
# The kind of change the bench's admin declares.
CHANGE_KIND = ChangeKind.CORRECTION
# The session cookie's name (Django's default, which the settings keep).
SESSION_COOKIE = "sessionid"


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    return sorted_values[max(0, round(fraction * len(sorted_values)) - 1)]


def summary_ms(latencies):
    """{median_ms, p95_ms, p99_ms, max_ms, requests} of latencies in seconds."""
    values = sorted(latencies)
    return {
        "requests": len(values),
        "median_ms": statistics.median(values) * 1000 if values else 0.0,
        "p95_ms": percentile(values, 0.95) * 1000,
        "p99_ms": percentile(values, 0.99) * 1000,
        "max_ms": values[-1] * 1000 if values else 0.0,
    }


class Loopback:
    """GETs and POSTs to the bench's server, one new connection each, so
    every request waits for a worker as a new reader's does."""

    def __init__(self, host, port, cookie=""):
        self.host, self.port, self.cookie = host, port, cookie

    def request(self, method, url, body=None, headers=None, timeout=60, cookie=None):
        """(status, headers, body, seconds to the first body byte, total seconds)."""
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            sent = {"Host": self.host, **(headers or {})}
            cookie = self.cookie if cookie is None else cookie
            if cookie:
                sent["Cookie"] = cookie
            conn.request(method, url, body=body, headers=sent)
            response = conn.getresponse()
            first = response.read(1)
            first_byte = time.perf_counter() - started
            rest = response.read()
            return (
                response.status,
                response.headers,
                first + rest,
                first_byte,
                time.perf_counter() - started,
            )
        finally:
            conn.close()

    def timed_get(self, url, timeout=60, cookie=None):
        """(seconds, status or None when the connection failed)."""
        started = time.perf_counter()
        try:
            status = self.request("GET", url, timeout=timeout, cookie=cookie)[0]
        except OSError:
            status = None
        return time.perf_counter() - started, status


# --- Exports ------------------------------------------------------------------------


def time_export(loopback, url):
    """One export: status, bytes, rows (lines), time to first byte, total."""
    try:
        status, _, body, first_byte, total = loopback.request(
            "GET", url, timeout=EXPORT_TIMEOUT, cookie=""
        )
    except OSError as error:
        return {"status": f"failed ({error.__class__.__name__})", "bytes": 0, "rows": 0}
    lines = body.rstrip(b"\n").split(b"\n")
    # An export stopped at its time limit ends with a line saying so
    # (cases/exports.py): "# Export incomplete…", quoted when it holds commas.
    complete = status == 200 and not lines[-1].lstrip(b'"').startswith(b"#")
    return {
        "status": status,
        "bytes": len(body),
        "rows": max(0, len(lines) - 1 - (not complete)),
        "complete": complete,
        "first_byte_s": first_byte,
        "total_s": total,
    }


def home_latency_during_exports(loopback, export_url, exports=3, home_url="/"):
    """Start `exports` unfiltered exports at once and request the home page
    one request at a time until they have all finished: the home page's
    latency (median, p95, max) and the exports' own results."""
    results = [None] * exports

    def run(index):
        results[index] = time_export(loopback, export_url)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(exports)]
    for thread in threads:
        thread.start()
    latencies, errors = [], 0
    # Let the exports reach the workers first.
    time.sleep(0.2)
    while any(thread.is_alive() for thread in threads):
        elapsed, status = loopback.timed_get(home_url, timeout=EXPORT_TIMEOUT, cookie="")
        latencies.append(elapsed)
        errors += status != 200
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    return {"home": {**summary_ms(latencies), "errors": errors}, "exports": results}


# --- The admin saving corrections ---------------------------------------------------


class ChangeFormParser(HTMLParser):
    """The fields a browser would submit from the admin's change form: every
    input, textarea and select inside it, with its current value."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            chosen = [value for value, selected in select["options"] if selected]
            if not chosen and not select["multiple"] and select["options"]:
                # A browser submits the first option of a single select.
                chosen = [select["options"][0][0]]
            self.fields.extend([select["name"], value] for value in chosen)


@dataclass
class AdminCorrector:
    """Saves a correction to one record every `interval` seconds through the
    admin change form over HTTP, as an editor does: a changed field and a
    reason. `saved` holds the reasons of the saves admin accepted."""

    loopback: Loopback
    change_url: str
    form_id: str
    field_name: str
    run_label: str
    interval: float = 1.0
    saved: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    latencies: list = field(default_factory=list)

    def save_once(self, number):
        started = time.perf_counter()
        status, headers, body, *_ = self.loopback.request("GET", self.change_url)
        if status != 200:
            self.failures.append(f"GET {status}")
            return
        csrf = SimpleCookie(headers.get("Set-Cookie", "")).get("csrftoken")
        parser = ChangeFormParser(self.form_id)
        parser.feed(body.decode())
        reason = f"{self.run_label} correction {number}"
        # What an editor fills in: the changed field, the kind of change and
        # the reason (admin refuses a change to a record without both).
        fields = [pair for pair in parser.fields if pair[0] not in ("change_reason", "change_kind")]
        for pair in fields:
            if pair[0] == self.field_name:
                pair[1] = f"{pair[1].split(' [bench ')[0]} [bench {self.run_label} #{number}]"
        fields += [["change_kind", CHANGE_KIND], ["change_reason", reason]]
        cookie = self.loopback.cookie + (f"; csrftoken={csrf.value}" if csrf else "")
        status, headers, body, *_ = self.loopback.request(
            "POST",
            self.change_url,
            body=urlencode([tuple(pair) for pair in fields]),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            cookie=cookie,
        )
        self.latencies.append(time.perf_counter() - started)
        if status == 302:
            self.saved.append(reason)
        else:
            self.failures.append(f"POST {status}")

    def run_until(self, stop):
        number = 0
        next_at = time.perf_counter()
        while not stop.is_set():
            number += 1
            try:
                self.save_once(number)
            except Exception as error:  # noqa: BLE001 (a failed save is a finding, not a crash)
                self.failures.append(f"{error.__class__.__name__}: {error}")
            next_at += self.interval
            stop.wait(max(0.0, next_at - time.perf_counter()))


# --- Logging in -------------------------------------------------------------------


def cookies(headers):
    """The cookies a response set."""
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def form_fields(body, form_id):
    """{name: value} of what a browser would submit from the form `form_id`."""
    parser = ChangeFormParser(form_id)
    parser.feed(body.decode())
    return dict(parser.fields)


@dataclass
class AdminLogin:
    """Logs in through the admin's login form over HTTP every `interval`
    seconds, as a person does (GET the form, POST the username and password),
    and opens the admin's index with the new session. `sessions` holds the
    session cookies of the logins the site accepted."""

    loopback: Loopback
    username: str
    password: str
    interval: float = 2.0
    sessions: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    latencies: list = field(default_factory=list)

    def login_once(self):
        """The session cookie ("sessionid=…") of one login, or None."""
        started = time.perf_counter()
        status, headers, body, *_ = self.loopback.request("GET", "/admin/login/", cookie="")
        if status != 200:
            self.failures.append(f"GET /admin/login/ {status}")
            return None
        fields = {
            **form_fields(body, "login-form"),
            "username": self.username,
            "password": self.password,
            "next": "/admin/",
        }
        status, headers, body, *_ = self.loopback.request(
            "POST",
            "/admin/login/",
            body=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            cookie=f"csrftoken={cookies(headers).get('csrftoken', '')}",
        )
        session = cookies(headers).get(SESSION_COOKIE)
        if status != 302 or not session:
            self.failures.append(f"POST /admin/login/ {status}")
            return None
        session = f"{SESSION_COOKIE}={session}"
        status = self.loopback.request("GET", "/admin/", cookie=session)[0]
        self.latencies.append(time.perf_counter() - started)
        if status != 200:
            self.failures.append(f"GET /admin/ after login {status}")
            return None
        self.sessions.append(session)
        return session

    def run_until(self, stop):
        next_at = time.perf_counter()
        while not stop.is_set():
            try:
                self.login_once()
            except Exception as error:  # noqa: BLE001 (a failed login is a finding, not a crash)
                self.failures.append(f"{error.__class__.__name__}: {error}")
            next_at += self.interval
            stop.wait(max(0.0, next_at - time.perf_counter()))


# --- Load -------------------------------------------------------------------------


def load_test(loopback, urls, clients, seconds, corrector=None, writers=()):
    """`clients` anonymous readers requesting `urls` in turn for `seconds`
    (and, if given, the corrector saving and the other writers, each with a
    `run_until(stop)`, meanwhile): latencies and errors, overall and by URL."""
    deadline = time.perf_counter() + seconds
    done, errors, by_url, lock = [], {}, {url: [] for url in urls}, threading.Lock()

    def reader(offset):
        index = offset
        while time.perf_counter() < deadline:
            url = urls[index % len(urls)]
            index += 1
            elapsed, status = loopback.timed_get(url, timeout=EXPORT_TIMEOUT, cookie="")
            with lock:
                if status == 200:
                    done.append(elapsed)
                    by_url[url].append(elapsed)
                else:
                    key = f"{url} -> {status}"
                    errors[key] = errors.get(key, 0) + 1

    stop = threading.Event()
    threads = [threading.Thread(target=reader, args=(n,)) for n in range(clients)]
    for writer in [corrector, *writers]:
        if writer is not None:
            threads.append(threading.Thread(target=writer.run_until, args=(stop,)))
    for thread in threads:
        thread.start()
    for thread in threads[:clients]:
        thread.join()
    stop.set()
    for thread in threads[clients:]:
        thread.join()
    return {
        **summary_ms(done),
        "requests": len(done) + sum(errors.values()),
        "errors": sum(errors.values()),
        "errors_by_url": errors,
        "median_ms_by_url": {
            url: round(statistics.median(values) * 1000) for url, values in by_url.items() if values
        },
        "rps": len(done) / seconds,
    }
