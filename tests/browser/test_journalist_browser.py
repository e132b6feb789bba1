"""A journalist's session, in a real browser: find the CECOT transfer, read who
was moved and on what accusation, check the source, search for the proposed
agreement, and take the filtered table away as CSV."""

import csv
import io
import re

from playwright.sync_api import expect

TRANSFER = "Handover of 17 alleged criminals to CECOT"
CECOT = "Counter-Terrorism Prison Center (CECOT)"
SIX = "Six of the 17, accused of child molestation"
AGREEMENT = "“Safe Third Country” migration agreement"


def test_journalist_finds_the_cecot_transfer_checks_its_source_searches_and_downloads_csv(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Deportation tracker")
    records = page.get_by_role("region", name="The records")
    expect(records.get_by_role("link", name=re.compile(r"^2 Transfers$"))).to_be_visible()

    # The transfers table, then only those that ended at CECOT.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Transfers").click()
    expect(page).to_have_url(re.compile(r"/transfers/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfers")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Destination facility").select_option("cecot")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]destination=cecot(&|$)"))
    expect(page.get_by_role("heading", name="1 transfer")).to_be_visible()
    expect(page.locator(".active-filter")).to_have_text(
        re.compile(rf"Destination facility: {re.escape(CECOT)}")
    )
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TRANSFER)
    expect(rows.first).to_contain_text(CECOT)

    # Sorting by date keeps the filter; the header says how the table is sorted.
    date_header = page.get_by_role("columnheader", name=re.compile(r"^Date"))
    date_header.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=date(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]destination=cecot(&|$)"))
    expect(date_header).to_have_attribute("aria-sort", "ascending")
    expect(rows).to_have_count(1)
    # The filtered, sorted view is a URL a journalist can bookmark and share.
    shared_table_url = page.url

    # The transfer's own page: who was moved, and what they are accused of.
    rows.first.get_by_role("link", name=TRANSFER).click()
    expect(page).to_have_url(re.compile(r"/transfers/handover-of-17-to-cecot/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TRANSFER)
    who = page.get_by_role("region", name="Details")
    six = who.get_by_role("list", name="Part of The 17 handed over in the most recent operation")
    expect(six.get_by_role("listitem")).to_have_count(1)
    expect(six.get_by_role("listitem")).to_contain_text(SIX)
    expect(six.get_by_role("listitem")).to_contain_text("6")
    # An accusation is shown as alleged, never as fact.
    expect(six.locator(".badge-claim")).to_have_text(re.compile(r"^alleged$", re.I))

    # Its first citation, followed to the words it quotes, marked in paragraph 7.
    sources = page.get_by_role("region", name="Sources for this record")
    expect(sources.locator("blockquote").first).to_contain_text("six accused of child molestation")
    sources.get_by_role("link", name=re.compile(r"paragraph 7$")).first.click()
    anchor = "quote-transfer-handover-of-17-to-cecot-1"
    expect(page).to_have_url(re.compile(rf"/sources/article-bukele-white-house-visit/#{anchor}$"))
    marked = page.locator(f"#p7 mark#{anchor}")
    expect(marked).to_contain_text("six accused of child molestation")
    expect(marked).to_be_in_viewport()

    # Search from the header for the proposed agreement.
    header_search = page.get_by_role("search", name="Site search")
    header_search.get_by_role("searchbox").fill("Safe Third Country")
    header_search.get_by_role("searchbox").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Safe\+Third\+Country$"))
    expect(page.locator(".search-summary")).to_contain_text("found for “Safe Third Country”")
    agreements = page.get_by_role("region", name=re.compile(r"^Agreements"))
    agreement_link = agreements.get_by_role("link", name=AGREEMENT)
    expect(agreement_link).to_be_visible()
    agreement_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AGREEMENT)
    expect(page.locator(".record-status .badge-claim")).to_have_text(
        re.compile(r"^proposed$", re.I)
    )

    # Back to the bookmarked table, and the same rows as a CSV file.
    page.goto(shared_table_url)
    expect(rows).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as downloaded:
        table = list(csv.DictReader(io.StringIO(downloaded.read())))
    assert [row["title"] for row in table] == [TRANSFER]
    assert table[0]["destination"] == CECOT
    assert table[0]["count"] == "17"
