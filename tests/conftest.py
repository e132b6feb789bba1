import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from cases import roles


@pytest.fixture
def seed(db):
    """The article's records, loaded as `make run` loads them."""
    call_command("load_seed", verbosity=0)


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
