"""Issue 11 in real Chromium: tables as cards on a 390 px phone, the filters
folded behind a button that works with the keyboard, the cite block's copy
button, a citation link landing on its marked words, and axe on the new pages."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Statement, Transfer
from tests.browser.axe import blocking_violations, describe
from tests.browser.chromium import PHONE, PHONE_OPTIONS
from tests.browser.test_keyboard_browser import tab_to

PAGE_OVERFLOW = f"() => document.documentElement.scrollWidth - {PHONE['width']}"


def assert_on_screen(locator):
    """Within the phone's width, without scrolling sideways."""
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{locator}: {box}"


@pytest.mark.parametrize(
    ("table", "model", "title_of"),
    [
        ("cases:transfer_list", Transfer, lambda record: record.title),
        ("cases:statement_list", Statement, None),
    ],
)
def test_on_a_phone_every_row_shows_its_title_and_claim_status_without_sideways_scrolling(
    phone_page, table, model, title_of
):
    page = phone_page
    page.goto(reverse(table))
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(model.objects.published().count())
    for index in range(rows.count()):
        row = rows.nth(index)
        title = row.locator("td").first.get_by_role("link").first
        # The row's own claim status: its column, or folded into the row's
        # first cell (statements); not the badges of the records it links to.
        badge = row.locator(
            "td[data-label='Claim status'] .badge-claim, td:first-child > .cell-value > .badge-claim"
        ).first
        expect(title).to_be_visible()
        expect(badge).to_be_visible()
        assert_on_screen(title)
        assert_on_screen(badge)
        # A label beside each value, as on a card (a status folded into the
        # card's title cell sits under no label of its own).
        cell = badge.locator("xpath=ancestor::td")
        if cell.get_attribute("data-label") == "Claim status":
            expect(cell.locator(".cell-label")).to_have_text("Claim status")
            expect(cell.locator(".cell-label")).to_be_visible()
    if title_of:
        expected = {title_of(record) for record in model.objects.published()}
        shown = {text.strip() for text in page.locator("tbody td:first-child a").all_inner_texts()}
        assert expected <= shown


def test_on_a_phone_the_filters_fold_behind_a_button_that_counts_them_and_works_by_keyboard(
    phone_page,
):
    page = phone_page
    page.goto(reverse("cases:transfer_list") + "?destination=cecot")
    toggle = page.locator(".filters-toggle > summary")
    expect(toggle).to_have_text(re.compile(r"Filters\s*\(1 active\)"))
    destination = page.locator("select#id_destination")
    expect(destination).to_be_hidden()
    tab_to(page, toggle)
    page.keyboard.press("Enter")
    expect(destination).to_be_visible()
    assert_on_screen(destination)
    page.keyboard.press("Enter")
    expect(destination).to_be_hidden()
    page.keyboard.press("Space")
    expect(destination).to_be_visible()
    assert page.evaluate(PAGE_OVERFLOW) <= 0


def test_on_a_wide_screen_the_filters_stay_open_beside_the_table(page):
    page.goto(reverse("cases:transfer_list"))
    expect(page.get_by_label("Destination facility")).to_be_visible()
    expect(page.get_by_role("heading", name="Filters")).to_be_visible()
    # No button to tab past on a wide screen: the filters are simply there.
    expect(page.locator(".filters-toggle > summary")).to_be_hidden()


def test_copy_citation_puts_the_citation_on_the_clipboard(new_context, live_server):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(reverse("cases:transfer_detail", args=["handover-of-17-to-cecot"]))
    citation = page.locator("#cite-text").inner_text().strip()
    assert citation.startswith("Handover of 17 alleged criminals to CECOT.")
    assert f"{live_server.url}/transfers/handover-of-17-to-cecot/" in citation
    button = page.get_by_role("button", name="Copy citation")
    button.click()
    expect(page.locator(".cite-status")).to_have_text("Citation copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == citation


def test_a_citation_link_lands_on_its_marked_words_in_the_source(page):
    page.goto(reverse("cases:agreement_detail", args=["safe-third-country"]))
    page.locator("#citations-heading ~ ol a[href*='#quote-']").first.click()
    expect(page).to_have_url(re.compile(r"/sources/article-bukele-white-house-visit/#quote-"))
    anchor = page.url.split("#", 1)[1]
    mark = page.locator(f"mark#{anchor}")
    expect(mark).to_be_in_viewport()
    assert mark.evaluate("element => element.matches(':target')")
    # Marked words, not the whole paragraph.
    paragraph = mark.locator("xpath=ancestor::p[1]").inner_text()
    assert len(mark.inner_text()) < len(paragraph)


def test_the_long_source_reads_compactly(page):
    """Was an 11,700 px wall at 1280 px: every quote repeated under the text."""
    page.goto(reverse("cases:source_detail", args=["article-bukele-white-house-visit"]))
    height = page.evaluate("() => document.documentElement.scrollHeight")
    line = page.locator(".paragraph-text").first.bounding_box()["width"]
    # About 70 characters a line, not the page's full width.
    assert line <= 640, line
    assert height < 9000, height


def new_pages():
    yield reverse("cases:method")
    yield reverse("cases:source_detail", args=["article-bukele-white-house-visit"])
    yield reverse("cases:source_detail", args=["cbs-news-reports-safe-third-country"])
    yield reverse("cases:transfer_detail", args=["handover-of-17-to-cecot"])
    yield reverse("cases:statement_list")


def test_new_pages_have_no_serious_or_critical_accessibility_violation(new_context):
    found = {}
    for options in ({}, PHONE_OPTIONS):
        page = new_context(**options).new_page()
        for url in new_pages():
            assert page.goto(url).status == 200, url
            if options and url == reverse("cases:statement_list"):
                page.locator(".filters-toggle > summary").click()
            violations = blocking_violations(page)
            if violations:
                found[f"{url} {'phone' if options else 'desktop'}"] = describe(violations)
        # The page that asks an anonymous reader to log in for a brief.
        assert page.goto(reverse("cases:dossier")).status == 403
        violations = blocking_violations(page)
        if violations:
            found["dossier refusal"] = describe(violations)
    assert not found, "\n".join(f"{url}\n{text}" for url, text in found.items())


def test_on_a_phone_the_records_quoting_a_paragraph_fold_under_it_and_open_for_a_link(
    phone_page,
):
    page = phone_page
    source = reverse("cases:source_detail", args=["article-bukele-white-house-visit"])
    page.goto(source)
    passages = page.locator("#p7 .cited-passages")
    expect(passages).to_be_hidden()
    page.locator("#p7 .passages-toggle > summary").tap()
    expect(passages).to_be_visible()
    assert_on_screen(passages.get_by_role("link", name=re.compile("Handover of 17")).first)
    # A quote that crosses another is marked in the folded list: a link to it
    # still lands on it, opened.
    anchor = "quote-detainee-group-hundreds-of-deported-migrants-1"
    page.goto(f"{source}#{anchor}")
    expect(page.locator(f"mark#{anchor}")).to_be_in_viewport()


def test_a_records_sources_are_numbered_once(page):
    """Each note carries its own number (its note links' target); the list
    once added its own beside it: "1. 1."."""
    page.goto(reverse("cases:agreement_detail", args=["safe-third-country"]))
    first = page.locator("ol.citations > li").first
    expect(first.locator(".note-number")).to_have_text("1.")
    assert first.evaluate("item => getComputedStyle(item).listStyleType") == "none"
