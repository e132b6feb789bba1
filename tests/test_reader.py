"""Issue 11, for readers: the method page, a source's text both ways (each
quote marked where a record's link lands, with back-links), the Atom feeds,
the cite block and the refusal pages of the PDF briefs."""

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.highlights import highlighted_paragraphs
from cases.method import CLAIM_STATUS_DEFINITIONS
from cases.models import Citation, ClaimStatus, Source, Transfer
from tests.factories import (
    make_actor,
    make_agreement,
    make_citation,
    make_group,
    make_source,
    make_transfer,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
ARTICLE = "article-bukele-white-house-visit"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


class Node:
    def __init__(self, name, attributes):
        self.name, self.attributes, self.children = name, dict(attributes), []


class TreeBuilder(HTMLParser):
    """A plain tree of the page that keeps text exactly as served (Django's
    parse_html trims white space at element edges, which would hide a mark
    that holds a word too few or too many)."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].name == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html):
    builder = TreeBuilder()
    builder.feed(html)
    return builder.root


def elements(node):
    """Every element under `node`, depth first."""
    for child in node.children:
        if isinstance(child, Node):
            yield child
            yield from elements(child)


def by_id(tree, element_id):
    found = [el for el in elements(tree) if el.attributes.get("id") == element_id]
    assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
    return found[0]


def text_of(node):
    return "".join(text_of(child) if isinstance(child, Node) else child for child in node.children)


def links(node):
    return [el.attributes.get("href") for el in elements(node) if el.name == "a"]


# --- Method page -------------------------------------------------------------------------


def test_method_page_defines_every_claim_status_with_its_own_anchor(client, db):
    tree = parse(page(client, reverse("cases:method")))
    for status in ClaimStatus:
        definition = by_id(tree, f"status-{status.value}")
        text = " ".join(text_of(definition).split())
        assert str(status.label) in text
        assert str(CLAIM_STATUS_DEFINITIONS[status].meaning)[:60] in text
        assert "Who decides" in text


def test_method_page_lists_the_sources_with_publisher_and_says_what_it_does_not_claim(client, seed):
    html = page(client, reverse("cases:method"))
    for source in Source.objects.published():
        assert source.get_absolute_url() in html
    assert "published by CBS News" in html
    assert "publisher not named" in html  # the article names none
    for heading in ("inferred", "quotes", "corrections", "not-claimed"):
        assert f'id="{heading}"' in html


def test_method_page_hides_draft_sources(client, db):
    make_source(title="Unpublished wire copy", publication_status="draft")
    assert "Unpublished wire copy" not in page(client, reverse("cases:method"))


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/transfers/",
        "/detainee-groups/",
        "/agreements/safe-third-country/",
        "/detainee-groups/seventeen-handed-over/",
        f"/sources/{ARTICLE}/",
    ],
)
def test_every_badge_links_to_its_status_definition_and_every_footer_to_the_method(
    client, seed, url
):
    html = page(client, url)
    badges = re.findall(r'<a class="badge badge-claim badge-(\w+)" href="([^"]+)"', html)
    if url != "/":
        assert badges, f"no claim badge on {url}"
    defined = {f"status-{status.value}" for status in ClaimStatus}
    for status, href in badges:
        assert href == f"{reverse('cases:method')}#status-{status}"
        assert href.split("#")[1] in defined
    footer = html[html.index('<footer class="site-footer') :]
    assert f'href="{reverse("cases:method")}"' in footer


def test_a_badge_says_whose_claim_it_is_where_the_record_says(client, seed):
    # The proposal comes from CBS News, as the article reports it.
    html = page(client, "/agreements/safe-third-country/")
    assert re.search(r"Proposed</a> <span class=\"claim-attribution\">according to CBS News", html)
    # No one is named where the record names no one (its heading and badge;
    # the statements listed under it name their speakers).
    html = page(client, "/transfers/handover-of-17-to-cecot/")
    assert "claim-attribution" not in html[: html.index("<h2")]
    assert '<span class="claim-attribution">said by Nayib Bukele' in html


def test_the_table_and_the_feed_say_whose_claim_it_is_as_the_page_does(client, seed):
    table = page(client, "/agreements/")
    assert re.search(r"Proposed</a> <span class=\"claim-attribution\">according to CBS News", table)
    entries = feed_entries(client, reverse("cases:records_feed"))
    (summary,) = [
        entry.find(f"{ATOM}summary").text
        for entry in entries
        if entry.find(f"{ATOM}title").text.startswith("Agreement: “Safe Third Country”")
    ]
    assert summary.startswith("Claim status: Proposed, according to CBS News")


def test_a_badge_names_the_accuser_the_record_names(client, db):
    accuser = make_actor(name="Fictional Ministry of Examples")
    group = make_group(claim_status=ClaimStatus.ALLEGED, alleged_by=accuser)
    html = page(client, group.get_absolute_url())
    assert 'Alleged</a> <span class="claim-attribution">by Fictional Ministry of Examples' in html
    # A draft accuser is not named to the public.
    accuser.publication_status = "draft"
    accuser.save()
    assert "Fictional Ministry" not in page(client, group.get_absolute_url())


# --- A source's text, both ways ------------------------------------------------------------


def test_each_quote_is_marked_exactly_where_the_records_link_lands_with_back_links(client, seed):
    source = Source.objects.get(slug=ARTICLE)
    tree = parse(page(client, source.get_absolute_url()))
    citations = list(source.citations.all())
    assert len(citations) > 40
    for citation in citations:
        anchor = f"quote-{citation.key}"
        mark = by_id(tree, anchor)
        assert mark.name == "mark"
        # The quoted words exactly: not the paragraph, not a word more.
        assert " ".join(text_of(mark).split()) == " ".join(citation.quote.split())
        record = citation.record
        # The record's page links to those words.
        record_html = page(client, record.get_absolute_url())
        assert f'href="{source.get_absolute_url()}#{anchor}"' in record_html
        # Beside the passage, a link back to the record.
        passages = by_id(tree, f"p{citation.paragraph}")
        passage_list = [el for el in elements(passages) if el.name == "ul"]
        assert record.get_absolute_url() in links(passage_list[0]), (anchor, record)


def test_crossing_quotes_each_keep_a_mark_of_their_own_words():
    # Fictional text: the second quote starts inside the first and ends after it.
    paragraph = "Alpha beta gamma delta epsilon."
    first = Citation(key="first", quote="Alpha beta gamma", paragraph=1)
    second = Citation(key="second", quote="gamma delta", paragraph=1)
    inner = Citation(key="inner", quote="beta", paragraph=1)
    (highlighted,) = highlighted_paragraphs([paragraph], [first, second, inner])
    tree = parse(f"<div>{highlighted.html}</div>")
    assert text_of(by_id(tree, "quote-first")) == "Alpha beta gamma"
    assert text_of(by_id(tree, "quote-inner")) == "beta"
    crossing = [p for p in highlighted.passages if not p.inline]
    assert [p.citations[0].key for p in crossing] == ["second"]
    assert (
        str(crossing[0].marked_quote())
        == '<mark class="cited" id="quote-second">gamma delta</mark>'
    )
    # The paragraph's own words are all still there, in order, escaped.
    assert text_of(tree) == paragraph


def test_source_text_is_escaped_around_the_marks():
    (highlighted,) = highlighted_paragraphs(
        ["<b>bold</b> & quoted"], [Citation(key="k", quote="& quoted", paragraph=1)]
    )
    assert (
        str(highlighted.html)
        == '&lt;b&gt;bold&lt;/b&gt; <mark class="cited" id="quote-k">&amp; quoted</mark>'
    )


def test_a_source_quoted_only_through_other_sources_does_not_say_no_record_quotes_it(client, seed):
    html = page(client, "/sources/cbs-news-reports-safe-third-country/")
    assert "No public record quotes this source yet" not in html
    quoted = Source.objects.get(slug="cbs-news-reports-safe-third-country").attributions.count()
    assert quoted >= 1
    assert f"{quoted} quote{'s' if quoted > 1 else ''} from it" in html


def test_the_supports_list_no_longer_repeats_every_quote(client, seed):
    html = page(client, f"/sources/{ARTICLE}/")
    supports = html[html.index('id="supports-heading"') :]
    assert "<blockquote" not in supports[: supports.find("</section>")]


def test_a_citation_of_a_draft_record_is_not_marked_nor_linked_on_the_source_page(client, db):
    source = make_source()
    transfer = make_transfer(title="Fictional draft transfer", publication_status="draft")
    citation = make_citation(transfer, source=source)
    html = page(client, source.get_absolute_url())
    assert f"quote-{citation.key}" not in html
    assert "Fictional draft transfer" not in html


# --- Feeds -------------------------------------------------------------------------------


def feed_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # well-formed XML, or this raises
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for part in ("title", "id", "updated", "link"):
            assert entry.find(f"{ATOM}{part}") is not None, part
    return entries


def test_records_feed_lists_published_records_of_every_kind_and_no_draft(client, seed):
    make_transfer(title="Fictional draft transfer", publication_status="draft")
    entries = feed_entries(client, reverse("cases:records_feed"))
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert not any("Fictional draft" in title for title in titles)
    kinds = {title.split(":")[0] for title in titles}
    assert {"Transfer", "Agreement", "Statement", "Source", "Detainee group"} <= kinds
    links = {entry.find(f"{ATOM}link").get("href") for entry in entries}
    assert "http://testserver/transfers/handover-of-17-to-cecot/" in links


def test_records_feed_carries_the_caveats_and_puts_the_newest_publication_first(client, db):
    older = make_agreement(title="Fictional older pact", claim_status=ClaimStatus.PROPOSED)
    draft = make_transfer(title="Fictional transfer published later", publication_status="draft")
    draft.publication_status = "published"
    draft.save()
    entries = feed_entries(client, reverse("cases:records_feed"))
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert titles.index("Transfer: Fictional transfer published later") < titles.index(
        f"Agreement: {older.title}"
    )
    summary = entries[titles.index(f"Agreement: {older.title}")].find(f"{ATOM}summary").text
    assert "Claim status: Proposed" in summary


def test_corrections_feed_lists_corrections_to_published_records_only(client, db):
    published = make_transfer(title="Fictional corrected transfer")
    published.count_stated = "twelve"
    published._change_reason = "The source says twelve."
    published.save()
    draft = make_transfer(title="Fictional draft transfer", publication_status="draft")
    draft.count_stated = "nine"
    draft._change_reason = "Drafting."
    draft.save()
    entries = feed_entries(client, reverse("cases:corrections_feed"))
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [
        "Correction to transfer: Fictional corrected transfer"
    ]
    assert "The source says twelve." in entries[0].find(f"{ATOM}summary").text
    assert (
        entries[0].find(f"{ATOM}link").get("href").endswith(f"?record=transfer%3A{published.slug}")
    )


def test_every_page_links_both_feeds_in_its_head(client, db):
    html = page(client, "/")
    head = html[: html.index("</head>")]
    for name in ("cases:records_feed", "cases:corrections_feed"):
        assert 'rel="alternate" type="application/atom+xml"' in head
        assert f'href="{reverse(name)}"' in head


# --- Cite this record -------------------------------------------------------------------------


def test_each_record_page_has_a_cite_block_with_title_permalink_version_and_access_date(
    client, seed
):
    transfer = Transfer.objects.get(slug="handover-of-17-to-cecot")
    tree = parse(page(client, transfer.get_absolute_url()))
    cite = " ".join(text_of(by_id(tree, "cite-text")).split())
    assert cite.startswith("Handover of 17 alleged criminals to CECOT. Deportation tracker")
    assert "http://testserver/transfers/handover-of-17-to-cecot/" in cite
    assert "version of" in cite and "accessed" in cite
    html = page(client, transfer.get_absolute_url())
    # No inline script: the copy button's script is a static file.
    assert re.search(r'<script src="/static/js/cite\.js" defer></script>', html)
    assert not re.search(r"<script>(?!</script>)", html)


# --- Access messages -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/dossier.pdf", "/transfers/brief.pdf?destination=cecot"])
def test_anonymous_reader_asking_for_a_brief_is_told_to_log_in_and_sent_back(client, seed, url):
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Log in to download PDF briefs" in html
    login = (
        f"{reverse('login')}?next={url.replace('/', '%2F').replace('?', '%3F').replace('=', '%3D')}"
    )
    assert f'href="{login}"' in html
    # The login page then returns to the brief.
    assert client.get(login).context["next"] == url


def test_logged_in_reader_without_the_permission_is_told_which_roles_have_it(
    client, seed, django_user_model
):
    django_user_model.objects.create_user("reporter", password="not used")
    call_command("assign_role", "reporter", "journalist", stdout=StringIO())
    client.force_login(django_user_model.objects.get(username="reporter"))
    response = client.get("/agreements/safe-third-country/brief.pdf")
    assert response.status_code == 403
    html = " ".join(response.content.decode().split())
    assert "Your account cannot download PDF briefs" in html
    assert "The Admins and Editors roles have it" in html
    assert "Log in to" not in html


def test_corrections_feed_names_each_change_by_its_kind_with_before_and_after(client, db):
    transfer = make_transfer(title="Fictional clarified transfer")
    transfer.count_stated = "a dozen"
    transfer._change_reason, transfer._change_kind = "The source's own words.", "clarification"
    transfer.save()

    [entry] = feed_entries(client, reverse("cases:corrections_feed"))

    assert (
        entry.find(f"{ATOM}title").text == "Clarification to transfer: Fictional clarified transfer"
    )
    # The summary is HTML, as a feed reader renders it.
    summary = html.unescape(entry.find(f"{ATOM}summary").text)
    assert "Count stated: dozens → a dozen" in summary and "The source's own words." in summary


def test_feed_summaries_carry_record_words_as_text_never_markup(client, db):
    # Atom's summary is HTML: a reader decodes it once and renders it.
    transfer = make_transfer(title="Fictional <b>bold</b> transfer")
    transfer.count_stated = "<img src=x onerror=alert(1)>"
    transfer._change_reason = "<script>alert(1)</script>"
    transfer.save()

    for feed in ("cases:corrections_feed", "cases:records_feed"):
        for entry in feed_entries(client, reverse(feed)):
            summary = entry.find(f"{ATOM}summary").text or ""
            assert "<script" not in summary and "<img" not in summary, summary
