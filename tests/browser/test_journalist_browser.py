"""A journalist's first steps, in a real browser: filter, sort, read, check the source."""

import re

from playwright.sync_api import expect


def test_filter_sort_open_a_transfer_and_follow_a_citation_to_its_source(page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Transfers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfers")

    page.get_by_label("Destination facility").select_option("cecot")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"destination=cecot"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Handover of 17 alleged criminals to CECOT")

    page.get_by_role("columnheader").get_by_role("link", name="Date").click()
    expect(page).to_have_url(re.compile(r"sort=-?date"))
    expect(page).to_have_url(re.compile(r"destination=cecot"))
    expect(rows).to_have_count(1)

    rows.first.get_by_role("link", name="Handover of 17 alleged criminals to CECOT").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Handover of 17 alleged criminals to CECOT"
    )
    expect(page.get_by_text("Six of the 17, accused of child molestation")).to_be_visible()
    expect(page.locator(".badge-alleged").first).to_have_text(re.compile("alleged", re.I))

    page.get_by_role("link", name=re.compile(r"paragraph 7")).first.click()
    expect(page).to_have_url(re.compile(r"/sources/article-bukele-white-house-visit/#p7$"))
    expect(page.locator("#p7")).to_contain_text("six accused of child molestation")
