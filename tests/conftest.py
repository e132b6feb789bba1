import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import Client
from django.utils import translation

from cases import roles
from tests import seed_copy

# Where a whole file's outcome cannot depend on the database, and why.
DATABASE_AGNOSTIC = {
    # Chromium against the live server: minutes of the suite. What the
    # journeys pass through that differs by database (search, drafts'
    # visibility, indexes, time limits, migrations) has tests of its own,
    # which run on both (test_search*.py, test_visibility_pages.py,
    # test_relation_visibility.py, test_sqlite_indexes.py, ...).
    "tests/browser/": "browser journeys",
    "tests/test_i18n_templates.py": "a scan of the template files, no database",
    "tests/test_serving.py": "reads the files that start gunicorn, no database",
    # They make a SQLite database of their own, whatever DATABASE_URL says.
    "tests/test_readme_commands.py": "the README's commands in a fresh clone",
}


def pytest_configure(config):
    """The test databases are created and dropped without the app's statement
    timeout (settings: 5 s, for requests). Under load, PostgreSQL took about
    10 s to drop a test database (a checkpoint), and the timeout cancelled
    it, leaving the next run unable to create it."""
    from django.db.backends.postgresql.creation import DatabaseCreation

    create = DatabaseCreation._execute_create_test_db

    def create_without_timeout(self, cursor, parameters, keepdb=False):
        cursor.execute("SET statement_timeout = 0")
        return create(self, cursor, parameters, keepdb)

    def destroy_without_timeout(self, test_database_name, verbosity):
        with self._nodb_cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute(f"DROP DATABASE {self.connection.ops.quote_name(test_database_name)}")

    DatabaseCreation._execute_create_test_db = create_without_timeout
    DatabaseCreation._destroy_test_db = destroy_without_timeout


def pytest_collection_modifyitems(items):
    """Mark `database_agnostic` the tests whose outcome does not depend on
    which database DATABASE_URL names, so that CI, having run the whole suite
    on PostgreSQL, runs only the others again on SQLite (.ci/run). A plain
    `make test` or `pytest` runs every test whatever the marks.

    The files above, and tests marked by hand: the PDF briefs' layout (paper
    sizes, fonts, how full each page is), which is WeasyPrint's work on rows
    the database has already returned; what a brief holds and hides is
    tested on both databases. A test that starts manage.py in a subprocess
    is not agnostic even without a test database: the child reads
    DATABASE_URL.
    """
    for item in items:
        if any(item.nodeid.startswith(path) for path in DATABASE_AGNOSTIC):
            item.add_marker(pytest.mark.database_agnostic)


def uses_the_database(item):
    return bool(item.get_closest_marker("django_db")) or bool(
        {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.fixture(autouse=True)
def role_groups(request):
    """The role groups, with their permissions, there for every test that
    uses the database, as after `migrate`. A transactional test (a browser
    test's live server) ends by emptying every table, groups included; in one
    process that ran all tests, pytest-django ran those last, but a
    pytest-xdist worker may be handed ordinary tests after one. They are made
    again as every migrate makes them (its post-migrate steps: content types,
    permissions, then cases.roles.grant_role_permissions), and kept
    (committed)."""
    if not uses_the_database(request.node):
        return
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        if Group.objects.filter(name__in=roles.ROLES.values()).count() < len(roles.ROLES):
            emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)


@pytest.fixture
def seed(db):
    """The article's records, as `make run` loads them: the rows `load_seed`
    wrote, loaded once per test process and copied in after (tests/seed_copy.py)."""
    seed_copy.load_seed()


@pytest.fixture
def staff_user(django_user_model):
    """A newsroom editor: staff, and in the Editors group, which is what lets
    them see drafts and export PDF briefs (being staff alone does not)."""
    user = django_user_model.objects.create_user(
        username="editor", password="correct horse battery staple", is_staff=True
    )
    user.groups.add(Group.objects.get(name=roles.EDITORS))
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def make_brief_client():
    """A client logged in as a reader who may export PDF briefs but not see drafts."""
    user = get_user_model().objects.create_user(username="brief-reader")
    app_label, codename = roles.EXPORT_PDF_BRIEFS.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    reader = Client()
    reader.force_login(user)
    return reader


@pytest.fixture
def brief_client(db):
    """A reader who may export PDF briefs but not see drafts: what a brief
    holds for anyone outside the editors. A client of its own, so a test can
    compare it with `staff_client`."""
    return make_brief_client()


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language. A request in Spanish leaves
    Spanish active in its thread (LocaleMiddleware activates a language and
    nothing deactivates it), and a test evaluating a translated label outside
    a request read "Cualquiera" for "Any" when a Spanish test had run before
    it in the same worker."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def own_cache_namespace(settings):
    """Each test gets a cache of its own (a fresh key prefix, also in a Redis
    shared with other runs), so a page cached by one test, under settings or
    data of its own, is never served to another."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }
