"""A designation whose author is a draft says its author is not public yet,
on the actor's page and in its PDF brief, without naming them."""

import pytest

from cases.models import Designation

from .factories import make_actor
from .test_pdf import pdf_text

pytestmark = pytest.mark.django_db

HIDDEN_AUTHOR = "an actor not yet public"


@pytest.fixture
def designated():
    actor = make_actor(name="Designated Gang", slug="designated-gang")
    Designation.objects.create(
        actor=actor,
        label="Terrorist organisation",
        designated_by=make_actor(name="Secret Ministry", publication_status="draft"),
    )
    Designation.objects.create(
        actor=actor, label="Criminal group", designated_by=make_actor(name="Public Office")
    )
    Designation.objects.create(actor=actor, label="Gang")
    return actor


def test_actor_page_marks_a_designation_by_a_draft_actor(client, designated):
    page = client.get(designated.get_absolute_url()).content.decode()
    assert (
        f'Terrorist organisation, designated by <span class="muted">{HIDDEN_AUTHOR}</span>' in page
    )
    assert "Secret Ministry" not in page
    assert "designated by <a href=" in page  # the public author is linked
    assert page.count(HIDDEN_AUTHOR) == 1  # not for the designation naming no one


def test_staff_see_the_draft_author_named(staff_client, designated):
    page = staff_client.get(designated.get_absolute_url()).content.decode()
    assert "Secret Ministry" in page
    assert HIDDEN_AUTHOR not in page


def test_actor_brief_marks_a_designation_by_a_draft_actor(brief_client, designated):
    text = pdf_text(brief_client.get(f"{designated.get_absolute_url()}brief.pdf"))
    # Worded as on the page (one presentation of a value on every surface).
    assert f"Terrorist organisation, designated by {HIDDEN_AUTHOR}" in text
    assert "Criminal group, designated by Public Office" in text
    assert "Secret Ministry" not in text
    assert text.count(HIDDEN_AUTHOR) == 1
