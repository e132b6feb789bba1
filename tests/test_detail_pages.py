"""Each record's page: every public field, related records as links, the claim
status in words, and the quotes it rests on, one click from their source."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from cases.kinds import KINDS
from cases.models import (
    Actor,
    Agreement,
    AgreementParty,
    Designation,
    DetaineeGroup,
    Event,
    Facility,
    Source,
    Statement,
    Transfer,
)
from tests.factories import (
    make_actor,
    make_agreement,
    make_citation,
    make_event,
    make_facility,
    make_group,
    make_source,
    make_statement,
    make_transfer,
)

pytestmark = pytest.mark.django_db

ARTICLE = "/sources/article-bukele-white-house-visit/"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html, heading_id):
    """The HTML of the <section> labelled by `heading_id`."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, flags=re.S)
    assert match, f"no section {heading_id}"
    return match.group(1)


def field(html, label):
    """The HTML of the value shown beside `label` in a record's details."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", html, flags=re.S)
    assert match, f"no field {label}"
    return match.group(1)


def test_every_seeded_record_page_shows_its_title_claim_status_and_quotes(client, seed):
    for kind in KINDS:
        model = kind.model
        for record in model.objects.all():
            html = page(client, record.get_absolute_url())
            # A statement's words are its title.
            title = getattr(record, "title", None) or getattr(record, "name", None) or record.text
            assert escape(title) in html, record.slug
            if model is not Source:
                assert f">{record.get_claim_status_display()}</a>" in html, record.slug
            quotes = list(record.citations.all())
            if model is Source:
                quotes += list(record.attributions.all())
            assert quotes, f"the seed cites {record.slug}"
            for citation in quotes:
                if model is Source and citation.source_id == record.pk:
                    # In the source's own text, marked where it stands (marks
                    # of overlapping quotes may sit inside it; see test_reader).
                    assert f'id="quote-{citation.key}"' in html, (record.slug, citation.key)
                else:
                    assert escape(citation.quote) in html, (record.slug, citation.key)


def test_claim_status_is_a_labelled_badge_in_words(client, seed):
    agreement = page(client, "/agreements/safe-third-country/")
    # The word is linked to its definition on the method page.
    assert (
        '<a class="badge badge-claim badge-proposed" href="/method/#status-proposed" '
        'title="What “Proposed” means">Proposed</a>'
    ) in agreement
    group = page(client, "/detainee-groups/six-accused-of-child-molestation/")
    assert 'href="/method/#status-alleged" title="What “Alleged” means">Alleged</a>' in group


def test_the_six_are_shown_as_part_of_the_17_on_the_transfer_page(client, seed):
    moved = field(page(client, "/transfers/handover-of-17-to-cecot/"), "Who was moved")
    seventeen = 'href="/detainee-groups/seventeen-handed-over/"'
    six = 'href="/detainee-groups/six-accused-of-child-molestation/"'
    nested = re.search(
        rf'<li>\s*<a {seventeen}.*?<ul class="subgroups"[^>]*>(.*?)</ul>', moved, flags=re.S
    )
    assert nested, "the 17 should list the groups within it"
    assert six in nested.group(1)
    # The six appear once, inside the 17, not again as a separate group.
    assert moved.count(six) == 1


def test_transfer_page_shows_destination_agreement_senders_and_statements(client, seed):
    handover = page(client, "/transfers/handover-of-17-to-cecot/")
    assert 'href="/facilities/cecot/"' in handover
    assert 'href="/statements/bukele-another-step-against-terrorism/"' in handover
    hundreds = page(client, "/transfers/deportation-of-hundreds/")
    assert 'href="/agreements/custody-for-payment/"' in hundreds
    assert 'href="/actors/trump-administration/"' in hundreds
    # The count keeps the source's words and invents no number.
    assert "hundreds" in hundreds
    assert "the source states no number" in hundreds


def test_agreement_page_shows_parties_with_roles_transfers_and_statements(client, seed):
    html = page(client, "/agreements/custody-for-payment/")
    parties = field(html, "Parties and their roles")
    assert 'href="/actors/salvadoran-government/"' in parties
    assert "Deports migrants to El Salvador" in parties
    assert 'href="/transfers/deportation-of-hundreds/"' in section(html, "transfers-heading")
    assert 'href="/statements/bukele-confirms-custody-payments/"' in section(
        html, "statements-heading"
    )


def test_actor_page_shows_agreements_with_role_statements_events_and_designations(client, seed):
    salvador = page(client, "/actors/salvadoran-government/")
    agreements = section(salvador, "agreement-roles-heading")
    assert 'href="/agreements/custody-for-payment/"' in agreements
    assert "receives payments for their custody" in agreements
    bukele = page(client, "/actors/nayib-bukele/")
    # Bukele's confirmation of the payments is a statement, not a role in the arrangement.
    assert "Not a party to any recorded agreement." in section(bukele, "agreement-roles-heading")
    assert 'href="/events/white-house-meeting-april-14/"' in section(bukele, "events-heading")
    assert 'href="/statements/bukele-confirms-custody-payments/"' in section(
        bukele, "statements-heading"
    )
    tren = page(client, "/actors/tren-de-aragua/")
    assert "Foreign Terrorist Organization" in field(tren, "Designations")
    assert 'href="/detainee-groups/hundreds-of-deported-migrants/"' in section(
        tren, "alleged-member-groups-heading"
    )
    white_house = page(client, "/actors/white-house/")
    assert 'href="/actors/trump-administration/"' in white_house


def test_group_page_says_when_the_source_does_not_name_the_accuser(client, seed):
    html = page(client, "/detainee-groups/hundreds-of-deported-migrants/")
    assert "Not stated in the source" in field(html, "Accused by")
    affiliations = field(html, "Alleged affiliations")
    assert 'href="/actors/tren-de-aragua/"' in affiliations
    assert 'href="/actors/ms-13/"' in affiliations


def test_group_page_names_the_accuser_when_given(client):
    accuser = make_actor(name="Department of Homeland Security")
    group = make_group(alleged_by=accuser)
    html = page(client, group.get_absolute_url())
    assert f'href="{accuser.get_absolute_url()}"' in html


def test_group_page_links_its_parent_subgroups_facility_and_transfers(client, seed):
    six = page(client, "/detainee-groups/six-accused-of-child-molestation/")
    assert 'href="/detainee-groups/seventeen-handed-over/"' in six
    assert 'href="/facilities/cecot/"' in six
    assert 'href="/transfers/handover-of-17-to-cecot/"' in six
    seventeen = page(client, "/detainee-groups/seventeen-handed-over/")
    assert 'href="/detainee-groups/six-accused-of-child-molestation/"' in section(
        seventeen, "subgroups-heading"
    )


def test_facility_event_and_statement_pages_link_their_related_records(client, seed):
    cecot = page(client, "/facilities/cecot/")
    assert 'href="/transfers/handover-of-17-to-cecot/"' in cecot
    assert 'href="/detainee-groups/seventeen-handed-over/"' in cecot
    assert 'href="/events/noem-visits-cecot/"' in cecot
    assert 'href="/statements/noem-do-not-come-illegally/"' in cecot
    visit = page(client, "/events/noem-visits-cecot/")
    assert 'href="/actors/kristi-noem/"' in visit
    assert 'href="/facilities/cecot/"' in visit
    assert 'href="/statements/noem-do-not-come-illegally/"' in visit
    statement = page(client, "/statements/noem-do-not-come-illegally/")
    assert "<h1" in statement and "Statement by Kristi Noem" in statement
    assert 'href="/events/noem-visits-cecot/"' in statement
    assert 'href="/facilities/cecot/"' in statement
    about = page(client, "/statements/bukele-another-step-against-terrorism/")
    assert 'href="/transfers/handover-of-17-to-cecot/"' in about


def test_inferred_date_says_why(client, seed):
    event = Event.objects.get(slug="white-house-meeting-april-14")
    html = page(client, event.get_absolute_url())
    assert "14 April 2025 (inferred)" in html
    assert escape(event.date_inference) in html


def test_undated_record_shows_the_sources_wording_not_a_date(client, seed):
    html = page(client, "/transfers/handover-of-17-to-cecot/")
    date = re.search(r"<dt>Date</dt><dd>(.*?)</dd>", html, flags=re.S).group(1)
    assert "the most recent operation" in date
    assert "the source gives no date" in date


def test_citation_links_to_its_paragraph_on_the_source_page(client, seed):
    html = page(client, "/agreements/safe-third-country/")
    # The link lands on the quoted words themselves, in paragraph 8.
    assert f'href="{ARTICLE}#quote-agreement-safe-third-country-1"' in html
    source = page(client, ARTICLE)
    paragraph = re.search(r'<li id="p8"[^>]*>(.*?)</li>', source, flags=re.S).group(1)
    assert 'id="quote-agreement-safe-third-country-1"' in paragraph
    assert "Safe Third Country" in paragraph


def test_citation_names_the_source_it_is_attributed_to(client, seed):
    html = page(client, "/agreements/safe-third-country/")
    attribution = re.search(r"Attributed to <a href=\"([^\"]+)\">", html)
    assert attribution
    assert attribution.group(1) == "/sources/cbs-news-reports-safe-third-country/"


def test_source_page_numbers_paragraphs_and_groups_citations_by_record(client, seed):
    source = Source.objects.get(slug="article-bukele-white-house-visit")
    html = page(client, ARTICLE)
    for number in range(1, len(source.paragraphs) + 1):
        assert f'id="p{number}"' in html
    supports = section(html, "supports-heading")
    # The 17 are cited twice, and listed once with both quotes.
    assert supports.count('<a href="/detainee-groups/seventeen-handed-over/">') == 1
    cbs = page(client, "/sources/cbs-news-reports-safe-third-country/")
    assert 'href="/agreements/safe-third-country/"' in section(cbs, "attributions-heading")


def test_source_without_text_says_so(client):
    source = make_source(text="")
    html = page(client, source.get_absolute_url())
    assert "We do not hold the text of this source" in html


def test_internal_note_is_never_shown(client):
    note = "NEWSROOM-ONLY-NOTE"
    speaker = make_actor(internal_note=note)
    records = [
        speaker,
        make_facility(internal_note=note),
        make_agreement(internal_note=note, parties=[speaker]),
        make_transfer(internal_note=note),
        make_group(internal_note=note),
        make_event(internal_note=note),
        make_statement(internal_note=note, speaker=speaker),
        make_source(internal_note=note),
    ]
    for record in records:
        assert note not in page(client, record.get_absolute_url())


def test_page_says_when_the_record_was_last_corrected(client):
    transfer = make_transfer(title="Flight to San Salvador")
    assert "Not corrected since it was added" in page(client, transfer.get_absolute_url())
    transfer.title = "Flight to San Salvador, corrected"
    transfer.save()
    html = page(client, transfer.get_absolute_url())
    assert "Not corrected since it was added" not in html
    corrected = transfer.history.first().history_date
    assert f'<time datetime="{corrected.isoformat()}">' in html


def test_unknown_slug_gives_404(client, db):
    assert client.get("/transfers/no-such-transfer/").status_code == 404


# --- Query counts ------------------------------------------------------------


def _add_related(record, n):
    """Give `record` n more of each kind of related record, each cited."""
    for _ in range(n):
        source = make_source()
        attributed = make_source()
        if isinstance(record, Actor):
            make_statement(speaker=record)
            make_event(participants=[record])
            make_agreement(parties=[record])
            make_actor(part_of=record)
            make_group(alleged_affiliations=[record])
            make_group(alleged_by=record)
            make_transfer().sent_by.add(record)
            make_transfer().received_by.add(record)
            Designation.objects.create(
                actor=record, label=f"Label {source.slug}", designated_by=make_actor()
            )
        elif isinstance(record, Facility):
            make_transfer(destination=record)
            make_group(facility=record)
            make_event(facility=record)
            make_statement(facility=record)
        elif isinstance(record, Agreement):
            AgreementParty.objects.create(agreement=record, actor=make_actor(), role="Party")
            make_transfer(agreement=record)
            make_event().agreements.add(record)
            make_statement().agreements.add(record)
        elif isinstance(record, Transfer):
            parent = make_group()
            make_group(parent=parent)
            record.groups.add(parent, make_group(parent=parent))
            record.sent_by.add(make_actor())
            record.received_by.add(make_actor())
            make_statement().transfers.add(record)
        elif isinstance(record, DetaineeGroup):
            make_group(parent=record)
            record.alleged_affiliations.add(make_actor())
            make_transfer(groups=[record])
        elif isinstance(record, Event):
            record.participants.add(make_actor())
            record.agreements.add(make_agreement())
            make_statement(event=record)
        elif isinstance(record, Statement):
            record.transfers.add(make_transfer())
            record.agreements.add(make_agreement())
        if isinstance(record, Source):
            for cited in (make_actor(), make_transfer(), make_statement(), make_group()):
                make_citation(cited, source=record, attributed_to=attributed)
            make_citation(make_event(), source=source, attributed_to=record)
        else:
            make_citation(record, source=source, attributed_to=attributed)


def _queries_for(client, record):
    with CaptureQueriesContext(connection) as queries:
        page(client, record.get_absolute_url())
    return len(queries)


@pytest.mark.parametrize(
    "build",
    [
        make_actor,
        make_facility,
        make_agreement,
        make_transfer,
        make_group,
        make_event,
        make_statement,
        make_source,
    ],
    ids=lambda build: build.__name__,
)
def test_detail_page_query_count_does_not_grow_with_related_records(client, build):
    record = build()
    _add_related(record, 1)
    few = _queries_for(client, record)
    _add_related(record, 4)
    many = _queries_for(client, record)
    assert many == few
