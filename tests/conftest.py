import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from cases import roles
from tests import seed_copy


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


@pytest.fixture
def brief_client(db, django_user_model):
    """A reader who may export PDF briefs but not see drafts: what a brief
    holds for anyone outside the editors. A client of its own, so a test can
    compare it with `staff_client`."""
    user = django_user_model.objects.create_user(username="brief-reader")
    app_label, codename = roles.EXPORT_PDF_BRIEFS.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    reader = Client()
    reader.force_login(user)
    return reader


@pytest.fixture(autouse=True)
def own_cache_namespace(settings):
    """Each test gets a cache of its own (a fresh key prefix, also in a Redis
    shared with other runs), so a page cached by one test, under settings or
    data of its own, is never served to another."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }
