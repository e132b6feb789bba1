"""The seed is the article's facts and nothing more, each with a verbatim quote."""

from collections import Counter

import pytest
from django.core.management import call_command

from cases.kinds import KINDS
from cases.models import (
    Actor,
    Agreement,
    AgreementParty,
    Citation,
    Designation,
    DetaineeGroup,
    Event,
    Facility,
    Source,
    Statement,
    Transfer,
)

pytestmark = pytest.mark.django_db

# Every kind but sources, which the others cite.
CITED_KINDS = [kind.model for kind in KINDS if kind.model is not Source]
ALL_KINDS = [*CITED_KINDS, Source, Citation, Designation, AgreementParty]
ARTICLE = "article-bukele-white-house-visit"


def row_counts():
    return Counter({model.__name__: model.objects.count() for model in ALL_KINDS})


def test_loading_the_seed_twice_leaves_the_same_rows(seed):
    first = row_counts()
    call_command("load_seed", force=True, verbosity=0)
    call_command("loaddata", "fixtures/seed.json", verbosity=0)
    assert row_counts() == first
    assert first["Citation"] > 40


def test_load_seed_without_force_does_not_overwrite_corrections(seed):
    bukele = Actor.objects.get(slug="nayib-bukele")
    bukele.role = "Corrected role"
    bukele.save()
    call_command("load_seed", verbosity=0)
    bukele.refresh_from_db()
    assert bukele.role == "Corrected role"


def test_every_seeded_record_has_a_citation(seed):
    for model in CITED_KINDS:
        uncited = model.objects.filter(citations__isnull=True)
        assert not uncited.exists(), f"{model.__name__} without a citation: {list(uncited)}"


def test_every_seeded_citation_is_found_verbatim_in_its_paragraph(seed):
    article = Source.objects.get(slug=ARTICLE)
    citations = Citation.objects.select_related("source")
    assert citations.exists()
    for citation in citations:
        assert citation.source == article
        assert citation.quote in article.paragraphs[citation.paragraph - 1], citation.key


def test_the_article_text_is_held_exactly_as_received(seed, settings):
    received = settings.BASE_DIR.parent / "shared" / "source" / "article.txt"
    if not received.exists():
        pytest.skip("the shared source folder is not beside this checkout")
    assert Source.objects.get(slug=ARTICLE).text == received.read_text("utf-8")


def test_seeded_direct_quotes_are_words_the_article_quotes(seed):
    for statement in Statement.objects.filter(kind=Statement.Kind.DIRECT_QUOTE):
        quotes = statement.citations.values_list("quote", flat=True)
        assert any(statement.text in quote for quote in quotes), statement.slug


def test_seed_holds_the_people_organisations_and_outlets_the_article_names(seed):
    names = set(Actor.objects.values_list("name", flat=True))
    assert {
        "Donald J. Trump",
        "Nayib Bukele",
        "Marco Rubio",
        "Kristi Noem",
        "María Elvira Salazar",
        "Tren de Aragua",
        "MS-13",
        "Amnesty International",
        "Venezuelan government",
        "CBS News",
    } <= names
    for organisation in ["tren-de-aragua", "ms-13"]:
        designation = Designation.objects.get(actor__slug=organisation)
        assert designation.label == "Foreign Terrorist Organization"
        assert designation.designated_by.name == "Trump administration"


def test_cecot_carries_both_names_the_article_uses(seed):
    cecot = Facility.objects.get(slug="cecot")
    assert cecot.short_name == "CECOT"
    assert cecot.name == "Counter-Terrorism Prison Center"
    assert "Terrorist Confinement Center" in cecot.alias_list


def test_agreements_keep_their_stated_status(seed):
    statuses = {a.slug: (a.status, a.claim_status) for a in Agreement.objects.all()}
    assert statuses == {
        "custody-for-payment": ("in_effect", "confirmed"),
        "safe-third-country": ("under_consideration", "proposed"),
        "military-cooperation": ("in_effect", "reported"),
    }


def test_imprecise_counts_are_kept_as_stated(seed):
    hundreds = Transfer.objects.get(slug="deportation-of-hundreds")
    assert (hundreds.count, hundreds.count_stated) == (None, "hundreds")
    seventeen = Transfer.objects.get(slug="handover-of-17-to-cecot")
    assert (seventeen.count, seventeen.destination.slug) == (17, "cecot")
    group = DetaineeGroup.objects.get(slug="hundreds-of-deported-migrants")
    assert (group.size, group.size_display) == (None, "hundreds")


def test_the_six_are_a_subgroup_of_the_seventeen_and_stay_alleged(seed):
    six = DetaineeGroup.objects.get(slug="six-accused-of-child-molestation")
    assert six.size == 6
    assert six.parent.slug == "seventeen-handed-over"
    assert six.parent.size == 17
    assert six.claim_status == "alleged"
    assert six.parent.claim_status == "alleged"
    assert set(six.transfers.values_list("slug", flat=True)) == {"handover-of-17-to-cecot"}


def test_accusers_the_article_does_not_name_are_left_empty(seed):
    assert not DetaineeGroup.objects.filter(alleged_by__isnull=False).exists()


def test_the_year_is_marked_as_inferred_with_its_reason(seed):
    meeting = Event.objects.get(slug="white-house-meeting-april-14")
    assert meeting.date.isoformat() == "2025-04-14"
    assert meeting.date_is_inferred
    assert "current term" in meeting.date_inference
    assert meeting.date_stated == "this Monday, April 14"
    assert meeting.occurrence == Event.Occurrence.SCHEDULED


def test_undated_events_are_not_given_a_date(seed):
    for slug in ["noem-visits-cecot", "rubio-visits-el-salvador"]:
        event = Event.objects.get(slug=slug)
        assert event.date is None
        assert event.date_display == "Date not stated"


def test_seed_holds_the_statements_the_issue_names(seed):
    speakers = Counter(Statement.objects.values_list("speaker__slug", flat=True))
    for speaker in [
        "donald-trump",
        "nayib-bukele",
        "marco-rubio",
        "kristi-noem",
        "maria-elvira-salazar",
        "amnesty-international",
        "venezuelan-government",
        "salvadoran-government",
    ]:
        assert speakers[speaker] >= 1, speaker
    kidnapping = Statement.objects.get(speaker__slug="venezuelan-government")
    assert "kidnapping" in kidnapping.text


def test_the_safe_third_country_claim_is_attributed_to_cbs_news(seed):
    citation = Citation.objects.filter(agreement__slug="safe-third-country").first()
    assert citation.attributed_to.publisher == "CBS News"


def test_every_seeded_record_is_published_and_history_starts_at_the_seed(seed):
    for model in CITED_KINDS:
        assert not model.objects.filter(publication_status="draft").exists()
    first_entry = Actor.objects.get(slug="ms-13").history.last()
    assert first_entry.history_change_reason.startswith("Loaded from the seed")
