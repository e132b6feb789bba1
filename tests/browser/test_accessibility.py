"""axe-core on every kind of page a reader meets: no serious or critical
accessibility violations, with the pages' real Content-Security-Policy on.
And the claim-status badges, in every status, meet WCAG AA contrast."""

from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Agreement, ClaimStatus
from tests.browser.axe import blocking_violations, describe
from tests.browser.chromium import PHONE_OPTIONS
from tests.browser.contrast import AA_TEXT, contrast_ratio
from tests.browser.pages import DETAILS, TABLES
from tests.factories import make_transfer


def public_pages():
    yield reverse("cases:home")
    for name in TABLES:
        yield reverse(f"cases:{name}")
    # A filtered table also shows the active filters and their remove links.
    yield reverse("cases:transfer_list") + "?destination=cecot&sort=-date"
    for name, slug in DETAILS:
        yield reverse(f"cases:{name}", args=[slug])
    yield reverse("cases:search") + "?q=Safe+Third+Country"
    yield reverse("cases:timeline")
    yield reverse("cases:corrections")
    yield reverse("cases:corrections") + "?record=agreement%3Asafe-third-country"
    yield reverse("login")


def check_pages(page, urls):
    """Every blocking violation on `urls`, by page, for one readable failure."""
    found = {}
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        violations = blocking_violations(page)
        if violations:
            found[url] = describe(violations)
    return found


def report(found):
    return "\n".join(f"{url}\n{violations}" for url, violations in found.items())


def test_public_pages_have_no_serious_or_critical_accessibility_violation(page):
    # One correction, so the log and the record's page show one.
    agreement = Agreement.objects.get(slug="safe-third-country")
    agreement.status = Agreement.Status.PROPOSED
    agreement._change_reason = "A correction for the accessibility check"
    agreement.save()
    found = check_pages(page, public_pages())
    assert not found, report(found)


def test_pages_on_a_phone_have_no_serious_or_critical_accessibility_violation(new_context):
    page = new_context(**PHONE_OPTIONS).new_page()
    urls = [
        reverse("cases:home"),
        reverse("cases:transfer_list") + "?destination=cecot",
        reverse("cases:transfer_detail", args=["handover-of-17-to-cecot"]),
    ]
    found = check_pages(page, urls)
    assert not found, report(found)


def test_an_editors_pages_with_drafts_and_pdf_links_have_no_serious_or_critical_violation(
    make_user, logged_in_page
):
    draft = make_transfer(title="Unconfirmed flight", publication_status="draft")
    page = logged_in_page(make_user("desk-editor", "editor"))
    urls = [
        reverse("cases:home"),
        reverse("cases:transfer_list"),
        draft.get_absolute_url(),
        reverse("cases:agreement_detail", args=["safe-third-country"]),
    ]
    page.goto(urls[1])
    # The editor's view is what is checked: drafts marked, PDF links shown.
    expect(page.locator("tr.is-draft")).to_have_count(1)
    expect(page.get_by_role("link", name="PDF", exact=True)).to_have_count(1)
    found = check_pages(page, urls)
    assert not found, report(found)


def test_every_badge_meets_wcag_aa_contrast(page):
    """Every claim status, whether or not the seed uses it, and the draft
    badge: each is drawn on a page with the site's CSS and its computed
    colours are measured."""
    page.goto(reverse("cases:home"))
    too_faint = {}
    for badge_class in [*ClaimStatus.values, "draft"]:
        colours = page.evaluate(
            """badgeClass => {
              const badge = document.createElement('span');
              badge.className = `badge badge-claim badge-${badgeClass}`;
              badge.textContent = badgeClass;
              document.querySelector('main').append(badge);
              const style = getComputedStyle(badge);
              return {text: style.color, background: style.backgroundColor};
            }""",
            badge_class,
        )
        ratio = contrast_ratio(colours["text"], colours["background"])
        # The badges' text is small (0.8rem, bold): the 4.5:1 of normal text.
        if ratio < AA_TEXT:
            too_faint[badge_class] = f"{colours} is only {ratio:.2f}:1"
    assert too_faint == {}


def test_the_check_itself_catches_a_real_violation(page):
    """Guards the harness: if axe silently stopped running, every page
    above would pass."""
    page.goto(reverse("cases:home"))
    page.evaluate(
        """() => {
          const image = document.createElement('img');
          image.src = '/static/favicon.svg';
          document.querySelector('main').append(image);
        }"""
    )
    assert "image-alt" in {violation["id"] for violation in blocking_violations(page)}
