"""Phone cards that read (issue 23), in real Chromium at three phone widths,
in English and Spanish: on every table, each row's labels and values are
boxes of their own that never overlap (a label that wraps to two lines makes
its row taller instead of running into the next label), nothing runs past
the card's edge, and the header's search placeholder is shown whole."""

import pytest
from django.urls import reverse

from tests.browser.pages import TABLES

WIDTHS = [320, 390, 430]
LANGUAGES = ["en-GB", "es-ES"]

# Every visible label and value box of every card, checked in the page:
# [problem, ...] for any two that overlap, or any that leaves its card.
CARD_PROBLEMS = """() => {
  const problems = [];
  const visible = (element) => element.getClientRects().length > 0;
  const overlap = (a, b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  for (const [rowNumber, row] of document.querySelectorAll("table.records tbody tr").entries()) {
    const card = row.getBoundingClientRect();
    const boxes = [...row.querySelectorAll(".cell-label, .cell-value")]
      .filter(visible)
      .map((element) => ({
        text: element.textContent.trim().slice(0, 40),
        rect: element.getBoundingClientRect(),
      }));
    boxes.forEach((box, index) => {
      if (box.rect.left < card.left - 0.5 || box.rect.right > card.right + 0.5) {
        problems.push(`row ${rowNumber + 1}: "${box.text}" runs outside its card`);
      }
      for (const other of boxes.slice(index + 1)) {
        if (overlap(box.rect, other.rect)) {
          problems.push(`row ${rowNumber + 1}: "${box.text}" overlaps "${other.text}"`);
        }
      }
    });
  }
  return problems;
}"""

# How much wider the placeholder is than the room the search box gives it.
PLACEHOLDER_OVERFLOW = """() => {
  const input = document.querySelector("#header-search-q");
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(input.placeholder).width - room;
}"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_phone_cards_never_overprint_their_labels(new_context, width, language):
    page = new_context(
        viewport={"width": width, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
        locale=language,
    ).new_page()
    checked = 0
    for name in TABLES:
        page.goto(reverse(f"cases:{name}"))
        assert page.locator("html").get_attribute("lang") == language[:2]
        # The cards are really cards at this width: labels shown beside values.
        assert page.locator("table.records tbody .cell-label").nth(1).is_visible(), name
        assert page.locator(".sort-label").is_visible()
        problems = page.evaluate(CARD_PROBLEMS)
        assert not problems, f"{name} at {width} px ({language}): {problems}"
        checked += page.locator("table.records tbody tr").count()
        assert page.evaluate(PLACEHOLDER_OVERFLOW) <= 0, f"placeholder cut at {width} px"
    assert checked > 30


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_search_placeholder_fits_on_a_wide_screen(new_context, language):
    page = new_context(locale=language).new_page()
    page.goto("/")
    assert page.evaluate(PLACEHOLDER_OVERFLOW) <= 0
    # On a wide screen the table keeps its header row; no label is repeated.
    page.goto(reverse("cases:transfer_list"))
    assert not page.locator("table.records .cell-label").first.is_visible()
    assert not page.locator(".sort-label").is_visible()
