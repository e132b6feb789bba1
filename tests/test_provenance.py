"""Field-level provenance: a value is shown as sourced only if a citation
supports that very field, or the newsroom marks it as its inference with a
reason. (Test records are fictional; the seed has its own tests.)"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.kinds import kind_of
from cases.models import AgreementParty, Citation, Transfer
from cases.provenance import (
    holds_value,
    inference_reason,
    supporting_citations,
    unsupported_fields,
)
from tests.factories import (
    make_actor,
    make_agreement,
    make_citation,
    make_event,
    make_facility,
    make_group,
    make_transfer,
)

pytestmark = pytest.mark.django_db


def test_empty_strings_none_and_empty_relations_hold_no_value():
    transfer = make_transfer(from_country="  ", to_country="", count_stated="dozens")
    assert not holds_value(transfer, "from_country")
    assert not holds_value(transfer, "to_country")
    assert not holds_value(transfer, "destination")
    assert not holds_value(transfer, "sent_by")
    assert not holds_value(transfer, "groups")
    assert not holds_value(transfer, "summary")
    transfer.sent_by.add(make_actor())
    assert holds_value(transfer, "sent_by")


def test_a_stated_count_or_date_in_words_holds_a_value_without_a_number():
    transfer = make_transfer(count=None, count_stated="hundreds", date_stated="last week")
    assert holds_value(transfer, "count")
    assert holds_value(transfer, "date")
    undated = make_transfer(count_stated="dozens")
    assert not holds_value(undated, "date")


def test_an_agreements_party_roles_hold_a_value_once_a_row_exists():
    agreement = make_agreement()
    assert not holds_value(agreement, "party_roles")
    AgreementParty.objects.create(agreement=agreement, actor=make_actor(), role="Pays")
    assert holds_value(agreement, "party_roles")


def test_submitted_relations_take_the_place_of_saved_ones():
    transfer = make_transfer()
    assert holds_value(transfer, "sent_by", submitted={"sent_by": [make_actor()]})
    transfer.sent_by.add(make_actor())
    assert not holds_value(transfer, "sent_by", submitted={"sent_by": []})
    unsaved = Transfer(title="Not saved", count_stated="two")
    assert not holds_value(unsaved, "sent_by")


def test_a_value_no_citation_supports_is_reported_by_its_field_name():
    transfer = make_transfer(from_country="United States", to_country="El Salvador")
    transfer.sent_by.add(make_actor())
    make_citation(transfer, supports=["count", "to_country"])
    assert unsupported_fields(transfer, transfer.citations.all()) == ["from_country", "sent_by"]


def test_an_inference_with_its_reason_counts_as_support_and_a_blank_one_does_not():
    transfer = make_transfer(from_country="United States")
    make_citation(transfer, supports=["count", "to_country"])
    transfer.inferences = {"from_country": "Fictional: the flights leave from Texas."}
    assert unsupported_fields(transfer, transfer.citations.all()) == []
    assert inference_reason(transfer, "from_country").startswith("Fictional")
    transfer.inferences = {"from_country": "   "}
    assert unsupported_fields(transfer, transfer.citations.all()) == ["from_country"]


def test_an_inferred_date_counts_as_the_dates_inference():
    event = make_event(
        date=datetime.date(2025, 4, 14),
        date_is_inferred=True,
        date_inference="Fictional: the year follows from the weekday.",
        occurrence="occurred",
    )
    make_citation(event, supports=["occurrence"])
    assert unsupported_fields(event, event.citations.all()) == []
    event.date_is_inferred = False
    assert unsupported_fields(event, event.citations.all()) == ["date"]


def test_labels_and_the_newsrooms_own_classifications_need_no_support():
    facility = make_facility(name="Fictional prison", kind="prison")
    assert "name" not in kind_of(facility).supported_fields
    assert "kind" not in kind_of(facility).supported_fields
    assert unsupported_fields(facility, []) == []


def test_the_lead_paragraph_needs_support_like_any_field():
    actor = make_actor(description="A fictional description with a fact in it.")
    assert unsupported_fields(actor, []) == ["description"]


def test_supporting_citations_groups_citations_by_field_in_citation_order():
    group = make_group(size_stated="several")
    first = make_citation(group, supports=["size", "accusation"])
    second = make_citation(group, supports=["size"])
    assert supporting_citations(group.citations.order_by("id")) == {
        "size": [first, second],
        "accusation": [first],
    }


def test_a_citation_cannot_support_a_field_its_record_does_not_have():
    group = make_group()
    with pytest.raises(ValidationError) as refused:
        make_citation(group, supports=["size", "destination"])
    assert "has no field “destination”" in str(refused.value)
    # Before its record is chosen, a citation's names cannot be checked; admin's
    # inline then offers only the names of its record's kind.
    assert Citation(supports=["destination"]).supports_errors() == {}


def test_a_citation_cannot_claim_to_support_a_label():
    actor = make_actor()
    citation = make_citation(actor, supports=["country"])
    citation.supports = ["name"]
    with pytest.raises(ValidationError) as refused:
        citation.full_clean()
    assert "supports" in refused.value.message_dict


def test_inferences_must_name_a_shown_field_and_say_why():
    transfer = make_transfer()
    transfer.inferences = {"colour": "Fictional reason."}
    with pytest.raises(ValidationError) as refused:
        transfer.full_clean()
    assert "no field “colour”" in str(refused.value)
    transfer.inferences = {"from_country": ""}
    with pytest.raises(ValidationError) as refused:
        transfer.full_clean()
    assert "Say why “from_country” follows" in str(refused.value)
