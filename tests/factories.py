"""Small builders for test records. Each returns a saved, published record
with sensible defaults; pass keyword arguments to change any field."""

import itertools

from cases.models import (
    Actor,
    Agreement,
    AgreementParty,
    Citation,
    DetaineeGroup,
    Event,
    Facility,
    Source,
    Statement,
    Transfer,
)

_numbers = itertools.count(1)


def _unique(prefix):
    return f"{prefix}-{next(_numbers)}"


def make_source(**fields):
    fields.setdefault("slug", _unique("source"))
    fields.setdefault("title", f"Test source {fields['slug']}")
    fields.setdefault("kind", Source.Kind.NEWS_ARTICLE)
    fields.setdefault("publication_status", "published")
    fields.setdefault(
        "text", "First paragraph of the test source.\nSecond paragraph, quoted below."
    )
    return Source.objects.create(**fields)


def make_actor(**fields):
    fields.setdefault("slug", _unique("actor"))
    fields.setdefault("name", f"Actor {fields['slug']}")
    fields.setdefault("kind", Actor.Kind.PERSON)
    fields.setdefault("publication_status", "published")
    return Actor.objects.create(**fields)


def make_facility(**fields):
    fields.setdefault("slug", _unique("facility"))
    fields.setdefault("name", f"Facility {fields['slug']}")
    fields.setdefault("kind", Facility.Kind.PRISON)
    fields.setdefault("publication_status", "published")
    return Facility.objects.create(**fields)


def make_agreement(parties=(), **fields):
    fields.setdefault("slug", _unique("agreement"))
    fields.setdefault("title", f"Agreement {fields['slug']}")
    fields.setdefault("status", Agreement.Status.PROPOSED)
    fields.setdefault("publication_status", "published")
    agreement = Agreement.objects.create(**fields)
    for actor in parties:
        AgreementParty.objects.create(agreement=agreement, actor=actor, role="Party")
    return agreement


def make_group(**fields):
    fields.setdefault("slug", _unique("group"))
    fields.setdefault("name", f"Group {fields['slug']}")
    fields.setdefault("size_stated", "several")
    fields.setdefault("claim_status", "alleged")
    fields.setdefault("publication_status", "published")
    affiliations = fields.pop("alleged_affiliations", ())
    group = DetaineeGroup.objects.create(**fields)
    group.alleged_affiliations.set(affiliations)
    return group


def make_transfer(groups=(), **fields):
    fields.setdefault("slug", _unique("transfer"))
    fields.setdefault("title", f"Transfer {fields['slug']}")
    fields.setdefault("count_stated", "dozens")
    fields.setdefault("from_country", "United States")
    fields.setdefault("to_country", "El Salvador")
    fields.setdefault("publication_status", "published")
    transfer = Transfer.objects.create(**fields)
    transfer.groups.set(groups)
    return transfer


def make_event(participants=(), **fields):
    fields.setdefault("slug", _unique("event"))
    fields.setdefault("title", f"Event {fields['slug']}")
    fields.setdefault("publication_status", "published")
    event = Event.objects.create(**fields)
    event.participants.set(participants)
    return event


def make_statement(**fields):
    fields.setdefault("slug", _unique("statement"))
    if "speaker" not in fields:
        fields["speaker"] = make_actor()
    fields.setdefault("text", "Words that were said.")
    fields.setdefault("publication_status", "published")
    return Statement.objects.create(**fields)


def make_citation(record, source=None, quote="Second paragraph, quoted below.", **fields):
    """Cite `record` (any kind of record) with a quote found in `source`."""
    target = {
        Actor: "actor",
        Facility: "facility",
        Agreement: "agreement",
        Transfer: "transfer",
        DetaineeGroup: "detainee_group",
        Event: "event",
        Statement: "statement",
    }[type(record)]
    return Citation.objects.create(
        source=source or make_source(), quote=quote, **{target: record}, **fields
    )


def cite_every_value(record, source=None, quote="Second paragraph, quoted below."):
    """One citation supporting every value `record` shows, so that admin accepts
    a save of it (a value with neither support nor an inference is refused)."""
    from cases.kinds import kind_of
    from cases.provenance import holds_value

    supports = [name for name in kind_of(record).supported_fields if holds_value(record, name)]
    return make_citation(record, source=source, quote=quote, supports=supports)
