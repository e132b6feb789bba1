import pytest
from django.core.management import call_command


@pytest.fixture
def seed(db):
    """The article's records, loaded as `make run` loads them."""
    call_command("load_seed", verbosity=0)


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password="correct horse battery staple", is_staff=True
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
