"""The journalist's first steps on a phone (390 px wide): the navigation and
filters can be reached and tapped, and table rows are cards that fit the
screen, so the page never scrolls sideways."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.chromium import PHONE
from tests.browser.pages import DETAILS, TABLES

# Sideways scrolling of the whole page: how far its content reaches past the
# screen's edge. Only a table's own wrapper may scroll sideways. (Measured
# against the screen, not window.innerWidth: a phone browser widens its
# layout viewport to fit content that overflows, hiding the overflow.)
PAGE_OVERFLOW = f"() => document.documentElement.scrollWidth - {PHONE['width']}"


def assert_within_screen(locator):
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
        f"{locator} runs off the screen: {box}"
    )


def test_on_a_phone_the_journalist_navigates_filters_and_reads_the_transfers(phone_page):
    page = phone_page
    page.goto("/")
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    nav = page.get_by_role("navigation", name="Main")
    for link in nav.get_by_role("link").all():
        expect(link).to_be_visible()
        assert_within_screen(link)
    search_box = page.get_by_role("search", name="Site search").get_by_role("searchbox")
    assert_within_screen(search_box)

    nav.get_by_role("link", name="Transfers").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfers")
    assert page.evaluate(PAGE_OVERFLOW) <= 0

    # The filters come before the table, folded behind a button, and fit the screen.
    destination = page.get_by_label("Destination facility")
    expect(destination).to_be_hidden()
    page.locator(".filters-toggle > summary").tap()
    expect(destination).to_be_visible()
    assert_within_screen(destination)
    destination.select_option("cecot")
    apply = page.get_by_role("button", name="Apply filters")
    assert_within_screen(apply)
    apply.tap()
    expect(page).to_have_url(re.compile(r"[?&]destination=cecot(&|$)"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    assert page.evaluate(PAGE_OVERFLOW) <= 0

    # Each row is a card that fits the screen (tests/browser/test_reader_browser.py
    # checks every row of two tables); the row's link can be read.
    wrapper = page.locator(".table-wrap")
    assert_within_screen(wrapper)
    assert_within_screen(rows.first)
    link = rows.first.get_by_role("link", name="Handover of 17 alleged criminals to CECOT")
    link.scroll_into_view_if_needed()
    expect(link).to_be_in_viewport()
    font_size = link.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")
    assert font_size >= 14

    link.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Handover of 17 alleged criminals to CECOT"
    )
    assert page.evaluate(PAGE_OVERFLOW) <= 0


@pytest.mark.parametrize("kind", ["tables", "details"])
def test_no_page_scrolls_sideways_on_a_phone(phone_page, kind):
    if kind == "tables":
        urls = [reverse(f"cases:{name}") for name in TABLES]
    else:
        urls = [reverse(f"cases:{name}", args=[slug]) for name, slug in DETAILS]
        urls += [
            reverse("cases:search") + "?q=CECOT",
            reverse("cases:timeline"),
            reverse("cases:corrections"),
        ]
    overflowing = {}
    for url in urls:
        phone_page.goto(url)
        overflow = phone_page.evaluate(PAGE_OVERFLOW)
        if overflow > 0:
            overflowing[url] = overflow
    assert overflowing == {}, f"pages wider than the phone's screen, by pixels: {overflowing}"
