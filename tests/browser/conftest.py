"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against
pytest-django's live server. Playwright never downloads a browser here.

One browser serves the whole session; each test gets a fresh context (its own
cookies and downloads), which costs milliseconds rather than a launch."""

import importlib
import os
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from tests import seed_copy
from tests.browser.chromium import CHROMIUM, DESKTOP, PHONE_OPTIONS, launch

PASSWORD = "a long browser-test passphrase"
# How long any wait may take: an action, a navigation, a download, an
# expect(). Waits end as soon as their condition holds, so this costs nothing
# when the machine is quiet; it is for a loaded 2-core machine (two test
# workers, each with its Chromium and live server, beside other people's
# suites), where a dossier PDF took more than the old 10 s to arrive and
# expect()'s own default (5 s, which the context's timeout does not change)
# was the only limit on every assertion. BROWSER_TIMEOUT_S overrides it.
TIMEOUT_MS = int(float(os.environ.get("BROWSER_TIMEOUT_S", "60")) * 1000)
expect.set_options(timeout=TIMEOUT_MS)
ROLES_MIGRATION = importlib.import_module("cases.migrations.0003_roles")

# Playwright's sync API runs an event loop in this thread; the test body still
# talks to the database synchronously, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def live_seed(transactional_db):
    """The seed, in a database the live server's thread can see."""
    seed_copy.load_seed()


@pytest.fixture
def new_context(browser, live_server, live_seed):
    """Open browser contexts on the live server; all are closed after the test."""
    contexts = []

    def open_context(viewport=DESKTOP, **options):
        context = browser.new_context(
            base_url=live_server.url, accept_downloads=True, viewport=viewport, **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    return new_context(**PHONE_OPTIONS).new_page()


@pytest.fixture
def make_user(django_user_model):
    """Create someone holding a newsroom role, as `assign_role` gives it."""

    def make(username, role):
        # A transactional test ends by emptying every table, taking with it
        # the role groups that migration 0003_roles made once for the whole
        # session. They are made again with that migration's own function.
        # (Serialized rollback cannot help here: once Playwright runs its
        # event loop in this thread, Django hands the test a new connection
        # object, without the contents serialized on the first one.)
        ROLES_MIGRATION.create_roles(django_apps, SimpleNamespace(connection=connection))
        django_user_model.objects.create_user(username, password=PASSWORD)
        call_command("assign_role", username, role, stdout=StringIO())
        return django_user_model.objects.get(username=username)

    return make


@pytest.fixture
def logged_in_page(new_context, client, live_server):
    """A page whose browser already holds `user`'s session, for tests about
    what a role sees rather than about logging in (the journeys that are
    about logging in use the login form itself)."""

    def open_page(user, **options):
        client.force_login(user)
        context = new_context(**options)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return context.new_page()

    return open_page
