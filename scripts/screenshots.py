#!/usr/bin/env python3
"""Screenshots of the tracker for a reviewer who will not run a browser:

    make screenshots            # PNGs into screenshots/ (ignored by git)
    make screenshots DOCS=1     # also refresh the two small images in docs/screenshots/

Works from a fresh clone and touches none of your data: it makes a throwaway
SQLite database in a temporary folder (migrate + load_seed), serves the site
from it with gunicorn in production settings on a free loopback port, takes
the key pages at desktop (1280 px) and phone (390 px) widths in Debian's
Chromium, downloads one brief of each kind (record, table, dossier) as an
editor (and the record brief as the record stood a moment ago) and renders each
first page (the first two of the dossier and of the as-of brief) to PNG with pdftoppm (Debian:
poppler-utils), then stops the server and removes the folder.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.browser.chromium import CHROMIUM, DESKTOP, PHONE_OPTIONS, launch  # noqa: E402

PYTHON = PROJECT / ".venv" / "bin" / "python"
GUNICORN = PROJECT / ".venv" / "bin" / "gunicorn"
OUT = PROJECT / "screenshots"
DOCS = PROJECT / "docs" / "screenshots"

# (file name, path): what a reader meets, in the order they meet it.
PAGES = [
    ("home", "/"),
    ("transfers-cecot", "/transfers/?destination=cecot&sort=-date"),
    ("transfer", "/transfers/handover-of-17-to-cecot/"),
    ("agreements", "/agreements/"),
    ("agreement", "/agreements/safe-third-country/"),
    ("detainee-groups", "/detainee-groups/"),
    # The article with each quoted passage marked, and the records quoting it beside.
    ("source", "/sources/article-bukele-white-house-visit/"),
    ("statements", "/statements/"),
    ("method", "/method/"),
    ("search", "/search/?q=Safe+Third+Country"),
    ("timeline", "/timeline/"),
    ("corrections", "/corrections/"),
    ("login", "/accounts/login/"),
]
# (name, path, pages to save). The as-of record brief is asked for as the
# record stood a moment ago (the throwaway database is seeded just before).
BRIEFS = [
    ("brief-record", "/agreements/safe-third-country/brief.pdf", 1),
    ("brief-table", "/transfers/brief.pdf?destination=cecot&sort=-date", 1),
    ("brief-dossier", "/dossier.pdf", 2),
    ("brief-record-as-of", "/agreements/safe-third-country/brief.pdf?as_of={now}", 2),
]
# The README's two pictures: (file name in docs/, page, viewport, element to
# scroll to the top or None). The viewport only (not the full page) keeps
# each well under 200 KB.
DOCS_SHOTS = [
    ("transfer-desktop.png", "/transfers/handover-of-17-to-cecot/", {"viewport": DESKTOP}, None),
    # On a phone: the folded filters with their count, the active filter and
    # the table as cards.
    (
        "transfers-phone.png",
        "/transfers/?destination=cecot&sort=-date",
        PHONE_OPTIONS,
        ".filters-panel",
    ),
]
EDITOR = "screenshots-editor"
EDITOR_PASSWORD = "screenshots only, a throwaway database"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_tools():
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (Debian: apt-get install chromium)")
    if not shutil.which("pdftoppm"):
        missing.append("pdftoppm (Debian: apt-get install poppler-utils)")
    if missing:
        sys.exit("make screenshots needs: " + "; ".join(missing))


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=PROJECT, env=env, check=True)


def prepare_database(env):
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed", "-v0")
    manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user({EDITOR!r}, password={EDITOR_PASSWORD!r})",
    )
    manage(env, "assign_role", EDITOR, "editor")


def wait_until_up(base_url, server, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The server stopped on its own (exit {server.returncode}).")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    sys.exit(f"The server did not answer on {base_url} within {seconds} s.")


def shoot_pages(browser, base_url):
    saved = []
    for width_name, options in (("desktop", {"viewport": DESKTOP}), ("phone", PHONE_OPTIONS)):
        context = browser.new_context(base_url=base_url, **options)
        page = context.new_page()
        for name, path in PAGES:
            response = page.goto(path)
            if response is None or response.status != 200:
                sys.exit(f"{path} answered {response and response.status}, not 200.")
            target = OUT / f"{name}-{width_name}.png"
            page.screenshot(path=target, full_page=True)
            saved.append(target)
        context.close()
    return saved


def log_in(context):
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.close()


def shoot_briefs(browser, base_url, workdir):
    """Each kind of brief, fetched with an editor's session; first page to PNG."""
    context = browser.new_context(base_url=base_url, viewport=DESKTOP)
    log_in(context)
    saved = []
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for name, path, pages in BRIEFS:
        path = path.format(now=quote(now))
        response = context.request.get(path)
        if response.status != 200 or response.headers.get("content-type") != "application/pdf":
            sys.exit(f"{path} answered {response.status} {response.headers.get('content-type')}.")
        pdf = workdir / f"{name}.pdf"
        pdf.write_bytes(response.body())
        for page in range(1, pages + 1):
            image = name if page == 1 else f"{name}-page{page}"
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page)]
                + ["-singlefile", pdf, OUT / image],
                check=True,
            )
            saved.append(OUT / f"{image}.png")
    context.close()
    return saved


def shoot_docs(browser, base_url):
    """The README's two pictures, small: the viewport only, in 256 colours."""
    from PIL import Image

    DOCS.mkdir(parents=True, exist_ok=True)
    saved = []
    for filename, path, options, scroll_to in DOCS_SHOTS:
        context = browser.new_context(base_url=base_url, **options)
        page = context.new_page()
        page.goto(path)
        if scroll_to:
            page.locator(scroll_to).evaluate("element => element.scrollIntoView({block: 'start'})")
        raw = page.screenshot()
        context.close()
        target = DOCS / filename
        with tempfile.SpooledTemporaryFile() as buffer:
            buffer.write(raw)
            buffer.seek(0)
            image = Image.open(buffer).convert("RGB")
            image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        saved.append(target)
    return saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--docs", action="store_true", help="also refresh the README's images in docs/screenshots/"
    )
    args = parser.parse_args()
    require_tools()
    OUT.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="tracker-screenshots-"))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "screenshots-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        # Static files straight from static/, so nothing needs collecting.
        "STATIC_MANIFEST": "0",
        "SITE_MODE": "open",
        "LOG_LEVEL": "WARNING",
    }
    server = None
    try:
        prepare_database(env)
        server = subprocess.Popen(
            [
                GUNICORN,
                "tracker.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                # Not the user's shared default control socket (see Makefile, serve).
                "--no-control-socket",
            ],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(base_url, server)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = launch(playwright)
            saved = shoot_pages(browser, base_url) + shoot_briefs(browser, base_url, workdir)
            if args.docs:
                saved += shoot_docs(browser, base_url)
            browser.close()
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    for path in saved:
        print(f"{path.relative_to(PROJECT)}  ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
