"""An admin corrects a record in Django admin, with a reason, sees the
correction where readers see it, then reverts it from the record's history."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

AGREEMENT = "“Safe Third Country” migration agreement"
AGREEMENT_PAGE = "/agreements/safe-third-country/"
CORRECTION = "Test correction: the status as a later source gives it"
REVERT = "Test revert: the later source was about another agreement"


def status_on_public_page(page):
    # The value, without the note numbers that follow it (<sup>).
    return page.locator("dl.fields dt:text-is('Status') + dd")


def test_admin_corrects_a_record_sees_it_published_and_reverts_it(page, make_user):
    make_user("desk-admin", "admin")
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("Username").fill("desk-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Correct and add records")).to_be_visible()

    # Correct the agreement's status, saying why.
    page.get_by_role("link", name="Agreements", exact=True).click()
    page.get_by_role("link", name=AGREEMENT).click()
    expect(page).to_have_url(re.compile(r"/admin/cases/agreement/\d+/change/$"))
    change_url = page.url
    expect(page.get_by_label("Status:", exact=True)).to_have_value("under_consideration")
    # The kind and reason come first, and say they will be published.
    why = page.locator("fieldset", has=page.get_by_label("Reason for this change"))
    expect(why).to_contain_text("published on the public corrections log")
    page.get_by_label("Status:", exact=True).select_option(label="Proposed")
    page.get_by_role("button", name="Save", exact=True).first.click()
    # Without a reason and kind admin refuses the change and says what is missing.
    expect(page.locator(".errorlist").first).to_contain_text("Choose the kind of change")
    expect(page.locator(".errorlist").nth(1)).to_contain_text(
        "Say why this record is being changed"
    )
    page.get_by_label("Kind of change").select_option(label="Update")
    page.get_by_label("Reason for this change").fill(CORRECTION)
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Readers see the new value, when it was corrected, and why.
    page.goto(AGREEMENT_PAGE)
    expect(status_on_public_page(page)).to_have_text(re.compile(r"^Proposed[\d,\u2060\s]*$"))
    page.get_by_role("link", name="See its corrections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Corrections to {AGREEMENT}")
    entries = page.locator("li.correction")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Update")
    expect(entries.first).to_contain_text("Status: Under consideration → Proposed")
    expect(entries.first).to_contain_text(f"Why: {CORRECTION}")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Corrections").click()
    # The full log groups corrections under their record.
    newest = page.locator("li.corrected-record").first
    expect(newest.get_by_role("heading", level=2)).to_contain_text(AGREEMENT)
    expect(newest).to_contain_text(CORRECTION)
    expect(newest).to_contain_text("Status: Under consideration → Proposed")

    # Revert from the record's history: pick the version before the
    # correction, give the reason, and confirm.
    page.goto(change_url)
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change history")
    versions = page.locator("#change-history tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text(CORRECTION)
    expect(versions.first).to_contain_text("Status: Under consideration → Proposed")
    versions.last.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revert")
    expect(page.get_by_label("Status:", exact=True)).to_have_value("under_consideration")
    page.get_by_label("Kind of change").select_option(label="Correction")
    page.get_by_label("Reason for this change").fill(REVERT)
    page.get_by_role("button", name="Revert").first.click()
    # simple-history confirms a revert with admin's ordinary message.
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # The original value is back for readers, and the revert is itself a
    # correction, listed first with its own reason.
    page.goto(AGREEMENT_PAGE)
    expect(status_on_public_page(page)).to_have_text(
        re.compile(r"^Under consideration[\d,\u2060\s]*$")
    )
    page.get_by_role("link", name="See its corrections").click()
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(f"Why: {REVERT}")
    expect(entries.nth(0)).to_contain_text("Status: Proposed → Under consideration")
    expect(entries.nth(1)).to_contain_text(f"Why: {CORRECTION}")
