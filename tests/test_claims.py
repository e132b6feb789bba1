"""Issue 22: who says so travels with every claim status, on every surface
and in every export; a platform is where something was said, never who says
it; nothing the article does not call an agreement is one."""

import html
import re

import pytest

from cases.models import Actor
from tests.test_exports import csv_rows, json_rows
from tests.test_pdf import pdf_text
from tests.test_tables import row_links, table_body

pytestmark = pytest.mark.django_db

SAFE = "/agreements/safe-third-country/"
CUSTODY = "/agreements/custody-for-payment/"
POST = "/statements/trump-looks-forward-to-bukele-visit/"


def text_of(response):
    assert response.status_code == 200
    body = response.content.decode()
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def row_text(response, href):
    """The visible text of the table row linking to `href`."""
    body = table_body(response)
    row = next(r for r in body.split("<tr") if f'href="{href}"' in r)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)))


# --- Who makes the claim, on every surface -------------------------------------------


def test_the_record_page_names_who_makes_the_claim(client, seed):
    assert "Proposed according to CBS News" in text_of(client.get(SAFE))
    assert "Confirmed by Nayib Bukele" in text_of(client.get(CUSTODY))


def test_the_table_cell_names_who_makes_the_claim(client, seed):
    response = client.get("/agreements/")
    assert "Confirmed by Nayib Bukele" in row_text(response, CUSTODY)
    assert "Proposed according to CBS News" in row_text(response, SAFE)


def test_search_timeline_and_home_name_who_makes_the_claim(client, seed):
    assert "Proposed according to CBS News" in text_of(client.get("/search/", {"q": "Safe"}))
    assert "Reported according to Presidential House of El Salvador" in text_of(
        client.get("/timeline/")
    )
    home = text_of(client.get("/"))
    assert "(confirmed, by Nayib Bukele)" in home
    assert "(proposed, according to CBS News)" in home


def test_the_feed_names_who_makes_the_claim(client, seed):
    feed = html.unescape(client.get("/feeds/records.atom").content.decode())
    assert "Claim status: Proposed, according to CBS News" in feed
    assert "Claim status: Confirmed, by Nayib Bukele" in feed


def test_briefs_and_the_dossier_name_who_makes_the_claim(brief_client, seed):
    # Print sets the badge's word in capitals.
    brief = pdf_text(brief_client.get(f"{SAFE}brief.pdf")).lower()
    assert "claim status: proposed according to cbs news" in brief
    dossier = pdf_text(brief_client.get("/dossier.pdf")).lower()
    assert "confirmed by nayib bukele" in dossier
    assert "said by donald j. trump on truth social" in dossier


def test_a_claimant_the_reader_may_not_see_is_not_named(client, seed):
    Actor.objects.filter(slug="cbs-news").update(publication_status="draft")
    assert "CBS News" not in row_text(client.get("/agreements/"), SAFE)
    rows = {r["slug"]: r for r in json_rows(client.get("/agreements/", {"_export": "json"}))}
    assert rows["safe-third-country"]["claimed_by"] is None
    assert rows["safe-third-country"]["claim_attribution"] == ""


# --- A platform is the medium, never the claimant --------------------------------------


def test_no_badge_names_truth_social_as_who_makes_the_claim(client, brief_client, seed):
    surfaces = [
        text_of(client.get(POST)),
        text_of(client.get("/statements/")),
        text_of(client.get("/search/", {"q": "Truth Social"})),
        pdf_text(brief_client.get(f"{POST}brief.pdf")),
        pdf_text(brief_client.get("/dossier.pdf")),
    ]
    for text in surfaces:
        assert "according to truth social" not in text.lower()
        assert "said by donald j. trump on truth social" in text.lower()


def test_no_badge_names_a_platform_in_spanish(client, seed):
    page = text_of(client.get(POST, HTTP_ACCEPT_LANGUAGE="es"))
    assert "según Truth Social" not in page
    assert "dicho por Donald J. Trump en Truth Social" in page


# --- Exports: typed columns of their own -------------------------------------------------


def test_csv_carries_who_makes_the_claim_in_columns_of_its_own(client, seed):
    rows = {r["slug"]: r for r in csv_rows(client.get("/agreements/", {"_export": "csv"}))}
    safe = rows["safe-third-country"]
    assert safe["claim_status"] == "proposed"
    assert (safe["claimed_by"], safe["claimed_by_slug"]) == ("CBS News", "cbs-news")
    assert safe["claim_source"] == "CBS News reports on a “Safe Third Country” agreement"
    assert safe["claim_source_slug"] == "cbs-news-reports-safe-third-country"
    custody = rows["custody-for-payment"]
    assert (custody["claim_status"], custody["claimed_by_slug"]) == ("confirmed", "nayib-bukele")
    # The article's own voice: no claimant, no report, and the cells say so by being empty.
    statements = csv_rows(client.get("/statements/", {"_export": "csv"}))
    post = next(r for r in statements if r["slug"] == "trump-looks-forward-to-bukele-visit")
    assert (post["claimed_by"], post["claim_medium"]) == ("Donald J. Trump", "Truth Social")


def test_json_carries_who_makes_the_claim_typed(client, seed):
    rows = {r["slug"]: r for r in json_rows(client.get("/agreements/", {"_export": "json"}))}
    assert rows["safe-third-country"]["claimed_by"]["slug"] == "cbs-news"
    assert rows["safe-third-country"]["claimed_by"]["name"] == "CBS News"
    assert rows["safe-third-country"]["claim_source"]["slug"] == (
        "cbs-news-reports-safe-third-country"
    )
    statements = {r["slug"]: r for r in json_rows(client.get("/statements/", {"_export": "json"}))}
    post = statements["trump-looks-forward-to-bukele-visit"]
    assert post["claimed_by"]["slug"] == "donald-trump"
    assert post["claim_medium"] == "Truth Social"
    assert post["claim_source"]["slug"] == "trump-truth-social-post-bukele-visit"
    events = {r["slug"]: r for r in json_rows(client.get("/events/", {"_export": "json"}))}
    assert events["white-house-meeting-april-14"]["claimed_by"] is None
    assert events["white-house-meeting-april-14"]["claim_medium"] is None


# --- Only what the article calls an agreement is one --------------------------------------


def test_no_record_of_another_kind_is_listed_or_counted_as_an_agreement(client, brief_client, seed):
    assert row_links(client.get("/agreements/"), "/agreements/") == [
        "custody-for-payment",
        "safe-third-country",
    ]
    assert "Agreements 2" in text_of(client.get("/"))
    assert "2 agreements" in pdf_text(brief_client.get("/dossier.pdf"))
    cooperation = text_of(client.get("/events/cooperation-el-salvador-united-states/"))
    assert "Cooperation between El Salvador and the United States" in cooperation


def test_a_kind_the_article_does_not_state_is_shown_as_an_inference(client, seed):
    page = text_of(client.get("/facilities/joint-base-andrews/"))
    assert "Military base The newsroom's inference: The article gives only its name" in page


def test_the_transfers_table_description_holds_for_a_transfer_of_unstated_origin(client, seed):
    page = text_of(client.get("/transfers/"))
    assert "from the United States to El Salvador" not in page
    assert "Each time people were moved to El Salvador" in page


def test_the_scheduled_meeting_reads_as_scheduled_where_its_title_travels_alone(client, seed):
    title = "Bukele to meet Trump at the White House on Monday, April 14 (scheduled)"
    feed = html.unescape(client.get("/feeds/records.atom").content.decode())
    assert f"<title>Event: {title}</title>" in feed
    assert title in text_of(client.get("/search/", {"q": "White House"}))
    assert f"<title>{title}" in client.get("/events/white-house-meeting-april-14/").content.decode()


# --- The statements table ----------------------------------------------------------------


def test_the_about_column_names_every_record_a_statement_is_tied_to(client, seed):
    response = client.get("/statements/")
    noem = table_body(response).split("<tr")
    noem = next(r for r in noem if 'href="/statements/noem-do-not-come-illegally/"' in r)
    assert 'href="/events/noem-visits-cecot/"' in noem
    assert 'href="/facilities/cecot/"' in noem
    assert "Not tied to a record" not in noem
    rubio = row_text(response, "/statements/rubio-criminals-will-no-longer-terrorize/")
    assert "Marco Rubio visits" in rubio


def test_sorting_by_statement_sorts_by_speaker_then_date(client, seed):
    def speakers(sort):
        body = table_body(client.get("/statements/", {"sort": sort, "per_page": 100}))
        rows = [r for r in body.split("<tr")[1:]]
        return [re.search(r'href="/actors/([^/"]+)/"', r).group(1) for r in rows]

    ascending = speakers("text")
    assert ascending == sorted(ascending, key=lambda slug: Actor.objects.get(slug=slug).name)
    assert speakers("-text") == sorted(
        ascending, key=lambda slug: Actor.objects.get(slug=slug).name, reverse=True
    )
