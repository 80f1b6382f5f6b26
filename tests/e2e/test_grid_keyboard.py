"""The gradebook grid's keyboard model (ARIA grid), which automated scanners cannot judge: one
Tab stop for the whole grid, arrows / Home / End / Ctrl+Home / Ctrl+End between visible cells,
collapsed columns skipped, Enter opens the cell's evidence."""

from __future__ import annotations

import pytest

from tests.live import COURSE, TEACHER

pytestmark = pytest.mark.browser


@pytest.fixture
def grid(live, page):
    lms, ids = live
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    frame = page.frame_locator("iframe[name=tool-frame]")
    frame.get_by_role("grid").wait_for()
    return frame, ids


def _focused(page) -> str:
    """What has focus inside the tool's frame: a cell's text or a link's accessible text."""
    frame = page.frame(name="tool-frame")
    return frame.evaluate(
        """() => {
            const el = document.activeElement;
            const cell = el.closest("td, th");
            const row = el.closest("tr");
            return `${row.rowIndex}:${cell.cellIndex}:${el.tagName}:${el.textContent.trim()}`;
        }"""
    )


def test_the_grid_moves_by_keyboard_and_opens_a_cell(grid, page):
    from playwright.sync_api import expect

    frame, ids = grid
    table = frame.locator("#grid")
    expect(table.locator('[tabindex="0"]')).to_have_count(1)  # one Tab stop, not thousands
    start = table.locator('[tabindex="0"]')
    expect(start).to_have_text(table.locator("tbody th a").first.inner_text())
    start.focus()

    page.keyboard.press("ArrowRight")
    assert _focused(page).startswith("1:1:TD")  # the summary cell
    page.keyboard.press("ArrowRight")
    assert _focused(page).startswith("1:2:")  # the first standard's level (a roll-up here)
    page.keyboard.press("ArrowDown")
    assert _focused(page).startswith("2:2:")
    page.keyboard.press("Home")
    assert _focused(page).startswith("2:0:A")
    page.keyboard.press("End")
    columns = table.locator("thead th").count()
    assert _focused(page).startswith(f"2:{columns - 1}:")
    page.keyboard.press("Control+End")
    assert _focused(page).startswith(f"8:{columns - 1}:")
    page.keyboard.press("Control+Home")
    assert _focused(page).startswith("0:0:TH:Student")
    page.keyboard.press("PageDown")
    assert _focused(page).startswith("8:0:")
    expect(table.locator('[tabindex="0"]')).to_have_count(1)

    # A collapsed branch's columns are skipped: the toggle, reached by keyboard, hides them.
    toggle = frame.get_by_role("button", name="Standards under A-CED")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowRight")
    hidden_column = frame.locator(f"#col-{ids.standards['A-CED.1']}")
    expect(hidden_column).to_be_hidden()
    assert "A-CED.1" not in _focused(page)
    page.keyboard.press("ArrowDown")
    assert _focused(page).startswith("1:")
    for _ in range(columns):  # along the first student's row to a cell with evidence to open
        if ":A:" in _focused(page):
            break
        page.keyboard.press("ArrowRight")
    assert ":A:" in _focused(page)
    page.keyboard.press("Enter")
    frame.get_by_role("heading", name="Add evidence").wait_for()
