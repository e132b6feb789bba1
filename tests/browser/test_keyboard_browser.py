"""The transfers table with the keyboard alone: skip to the content, filter,
clear a filter, choose the page size, sort and turn pages, always seeing
where the focus is."""

import datetime
import random
import re

from playwright.sync_api import expect

from tests.browser.contrast import AA_NON_TEXT, contrast_ratio
from tests.factories import make_transfer

# No page here has more tab stops than this before the one a test wants.
MAX_TABS = 150
FOCUS_RING = """() => {
  const style = getComputedStyle(document.activeElement);
  return {
    // A date field's last tab stop is its calendar button, inside the
    // browser's own shadow DOM: the field no longer matches :focus, and
    // Chromium rings the button itself (seen in a screenshot), out of reach
    // of the page's CSS and of this check.
    calendarButton: document.activeElement.type === 'date' && !document.activeElement.matches(':focus'),
    tag: document.activeElement.tagName,
    text: (document.activeElement.innerText || document.activeElement.name || '').slice(0, 60),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    colour: style.outlineColor,
  };
}"""
# The colour the focus ring is seen against: the nearest ancestor with a
# background of its own, else the page.
BACKGROUND_BEHIND_FOCUS = """() => {
  for (let element = document.activeElement.parentElement; element; element = element.parentElement) {
    const colour = getComputedStyle(element).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
  }
  return 'rgb(255, 255, 255)';
}"""


def assert_focus_is_visible(page):
    ring = page.evaluate(FOCUS_RING)
    if ring["calendarButton"]:
        return
    assert ring["style"] != "none" and ring["width"] >= 2, f"no visible focus on {ring}"
    behind = page.evaluate(BACKGROUND_BEHIND_FOCUS)
    assert contrast_ratio(ring["colour"], behind) >= AA_NON_TEXT, (
        f"focus ring {ring['colour']} is too faint against {behind} on {ring}"
    )


def is_focused(locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator):
    """Press Tab until `locator` has the focus, checking that every element
    the focus passes is visibly focused."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        assert_focus_is_visible(page)
        if is_focused(locator):
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {locator}")


def titles(page):
    return page.locator("table tbody tr td:first-child").all_inner_texts()


def test_keyboard_alone_filters_sorts_and_pages_through_transfers_with_visible_focus(page):
    # Twelve dated transfers, made in shuffled order, so sorting by date and
    # a second page are both visible.
    days = list(range(1, 13))
    random.Random(7).shuffle(days)
    for day in days:
        make_transfer(title=f"Keyboard test flight {day:02}", date=datetime.date(2025, 1, day))

    page.goto("/transfers/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))

    # From the content, the first stop is the filter form.
    text_field = page.get_by_label("Text contains")
    page.keyboard.press("Tab")
    expect(text_field).to_be_focused()
    assert_focus_is_visible(page)

    destination = page.get_by_label("Destination facility")
    tab_to(page, destination)
    # Typing a letter on a closed <select> picks the first option that
    # starts with it, as it does for anyone on a keyboard.
    page.keyboard.press("c")
    expect(destination).to_have_value("cecot")
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]destination=cecot(&|$)"))
    expect(page.locator("table tbody tr")).to_have_count(1)

    tab_to(page, page.get_by_role("link", name=re.compile(r"^Remove filter Destination facility")))
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"destination="))
    expect(page.get_by_role("heading", name="14 transfers")).to_be_visible()

    tab_to(page, page.get_by_label("Rows per page"))
    page.keyboard.press("ArrowUp")  # from 25 to 10
    expect(page.get_by_label("Rows per page")).to_have_value("10")
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]per_page=10(&|$)"))
    expect(page.get_by_role("heading", name="14 transfers, 1–10 shown")).to_be_visible()

    date_link = page.get_by_role("columnheader", name=re.compile(r"^Date")).get_by_role("link")
    tab_to(page, date_link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]sort=date(&|$)"))
    expect(page.get_by_role("columnheader", name=re.compile(r"^Date"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.locator("table tbody tr")).to_have_count(10)
    assert titles(page) == [f"Keyboard test flight {day:02}" for day in range(1, 11)]

    pages = page.get_by_role("navigation", name="Pages of the table")
    tab_to(page, pages.get_by_role("link", name="Next page"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]sort=date(&|$)"))
    expect(page.get_by_role("heading", name="14 transfers, 11–14 shown")).to_be_visible()
    # Dated transfers in date order, then the undated ones by their wording.
    assert titles(page)[:2] == ["Keyboard test flight 11", "Keyboard test flight 12"]
    expect(pages.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
