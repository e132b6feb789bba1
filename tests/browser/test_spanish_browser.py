"""The tracker in Spanish in real Chromium (issue 16): the language switch
in the header works by keyboard alone, and Spanish pages have no serious or
critical accessibility violation (their `lang` attributes included)."""

import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import check_pages, public_pages, report

MAX_TABS = 40


def test_the_language_switch_works_by_keyboard(page):
    page.goto("/timeline/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch = page.get_by_label("Language")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if switch.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the language switch is not reachable by Tab")
    page.keyboard.press("ArrowDown")
    expect(switch).to_have_value("es")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # Back on the same page, now in Spanish, and it stays so.
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile(r"/timeline/$"))
    expect(page.get_by_role("navigation", name="Principal")).to_contain_text("Cronología")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_spanish_pages_have_no_serious_or_critical_accessibility_violation(new_context):
    # Chromium's own language is Spanish: Accept-Language chooses the pages'.
    page = new_context(locale="es-ES").new_page()
    found = check_pages(page, public_pages())
    assert not found, report(found)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
