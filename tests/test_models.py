import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from cases.models import Citation, DetaineeGroup, Event, Transfer
from cases.presentation import stated_count_text, stated_date_text
from tests.factories import make_actor, make_citation, make_event, make_source

pytestmark = pytest.mark.django_db


def test_citation_quote_missing_from_source_text_is_refused_on_save():
    source = make_source(text="The only paragraph.")
    with pytest.raises(ValidationError) as error:
        make_citation(make_actor(), source=source, quote="Words never written.")
    assert "not found word for word" in str(error.value)
    assert not Citation.objects.exists()


def test_citation_fills_in_the_paragraph_where_the_quote_is_found():
    source = make_source(text="One.\n\nTwo, with the quote.\nThree.")
    citation = make_citation(make_actor(), source=source, quote="with the quote")
    assert citation.paragraph == 2


def test_citation_in_the_wrong_paragraph_names_the_right_one():
    source = make_source(text="One.\nTwo, with the quote.")
    with pytest.raises(ValidationError) as error:
        make_citation(make_actor(), source=source, quote="with the quote", paragraph=1)
    assert "it is in paragraph 2" in str(error.value)


def test_citation_with_straight_quotes_for_curly_ones_gets_a_hint():
    source = make_source(text="He said “enough” and left.")
    with pytest.raises(ValidationError) as error:
        make_citation(make_actor(), source=source, quote='He said "enough"')
    assert "quotation marks" in str(error.value)


def test_citation_of_a_source_whose_text_we_do_not_hold_is_accepted():
    source = make_source(text="")
    citation = make_citation(make_actor(), source=source, quote="Anything the editor vouches for")
    assert citation.paragraph is None


def test_citation_must_support_exactly_one_record():
    source = make_source()
    with pytest.raises(ValidationError):
        Citation(source=source, quote="Second paragraph, quoted below.").full_clean()
    with pytest.raises(IntegrityError):
        Citation.objects.create(
            source=source,
            quote="Second paragraph, quoted below.",
            actor=make_actor(),
            event=make_event(),
        )


def test_inferred_date_must_say_why():
    event = Event(
        slug="e",
        title="E",
        date=datetime.date(2025, 4, 14),
        date_is_inferred=True,
        date_inference="",
    )
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "date_inference" in error.value.message_dict


def test_a_date_reads_at_its_precision_with_its_inference_and_is_never_invented():
    assert stated_date_text(Event(date=datetime.date(2025, 4, 14))) == "14 April 2025"
    assert (
        stated_date_text(
            Event(date=datetime.date(2025, 4, 1), date_precision="month", date_is_inferred=True)
        )
        == "April 2025 (inferred)"
    )
    assert stated_date_text(Event(date_stated="the most recent operation")) == (
        "“the most recent operation” (the source gives no date)"
    )
    assert stated_date_text(Event()) == "Date not stated"


def test_month_precise_date_must_be_stored_as_the_first():
    event = Event(slug="e", title="E", date=datetime.date(2025, 4, 14), date_precision="month")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "date" in error.value.message_dict


def test_a_stated_number_must_match_the_stored_count():
    transfer = Transfer(slug="t", title="T", count=18, count_stated="17")
    with pytest.raises(ValidationError) as error:
        transfer.full_clean()
    assert "count" in error.value.message_dict


def test_words_are_kept_when_no_number_is_stated():
    group = DetaineeGroup(slug="g", name="G", size=None, size_stated="hundreds")
    group.full_clean()
    assert stated_count_text(group.size, group.size_stated) == (
        "hundreds (the source states no number)"
    )


def test_new_records_start_as_drafts():
    assert Event(slug="e", title="E").publication_status == "draft"


def test_visible_to_hides_drafts_from_everyone_but_editors(django_user_model, staff_user):
    published = make_event()
    draft = make_event(publication_status="draft")
    reader = django_user_model.objects.create_user("reader")
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    assert list(Event.objects.visible_to(None)) == [published]
    assert list(Event.objects.visible_to(reader)) == [published]
    # Staff reach admin; seeing drafts on the dashboard takes a role (cases/roles.py).
    assert list(Event.objects.visible_to(staff)) == [published]
    assert set(Event.objects.visible_to(staff_user)) == {published, draft}
