"""Browser fixtures: Debian's chromium, headless, driven by Playwright; screenshots as artifacts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import COURSE, STUDENT, register_lms
from tests.web.conftest import seed

CHROMIUM = "/usr/bin/chromium"
# Without these, chromium stalls on this closed network (background fetches, updates).
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def launch_in_lms(page, lms, who: str) -> str:
    """Open the demo course in the LMS as `who`; the launch token of the tool's frame."""
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={who}")
    page.frame_locator("iframe[name=tool-frame]").locator("h1").first.wait_for()
    return re.search(r"launch=([^&]+)", page.frame(name="tool-frame").url).group(1)


def settle(page, arrived=None, timeout: float = 15000) -> None:
    """Wait for the tool frame's new page (`arrived`, a locator on it), then until the LMS has
    stopped resizing the frame: a click while the frame grows can land where the element was
    (the frame's own scroll is reset under it)."""
    if arrived is not None:
        arrived.wait_for(timeout=timeout)
    page.evaluate(FRAMES_SETTLED)


def follow(control, arrived, attempts: int = 3) -> None:
    """Click `control` (a link, or a button whose form is safe to send twice) until `arrived`
    (a locator on the next page) shows. A click that lands while the LMS resizes the tool's
    frame (lti.frameResize after a page or a screenshot) can be lost: the control is activated
    again from the keyboard, which does not depend on where it is drawn, and only while it is
    still there."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        if attempt == 0:
            control.click()
        else:
            control.press("Enter")
        try:
            arrived.wait_for(timeout=5000 * (attempt + 1))
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1 or not control.is_visible():
                raise


def teacher_pages(ids) -> list[str]:
    """Every page a teacher opens from the course (the seeded course's ids)."""
    student, standard = ids.users[STUDENT], ids.standards["F-IF.6"]
    return [
        "/gradebook",
        f"/students/{student}/standards/{standard}",
        f"/students/{student}",
        "/sync",
        "/settings",
        "/settings/overrides",
        "/settings/scale",
        "/periods",
        "/assessments",
        "/course/copy",
        "/lms-columns",
        "/standards",
        "/evidence/import",
        "/evidence/lms-import",
        f"/standards/{standard}/edit",
        f"/students/{student}/share",
    ]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1200, "height": 850})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


# Resolves once every iframe has kept its size for ten animation frames (at most two seconds):
# the tool asks the LMS to fit its frame (lti.frameResize), so a relayout moves the frame.
FRAMES_SETTLED = """() => new Promise(resolve => {
  const sizes = () => [...document.querySelectorAll("iframe")]
    .map(f => { const r = f.getBoundingClientRect(); return `${r.width}x${r.height}`; }).join();
  let last = sizes(), quiet = 0, frames = 0;
  const tick = () => {
    const now = sizes();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    frames += 1;
    if (quiet >= 10 || frames > 120) resolve(); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        # A full-page shot resizes the viewport and back; the tool frame reflows and asks for a
        # new height. Let it settle before the next click (a click during the relayout was
        # seen lost inside the LMS iframe).
        page.evaluate(FRAMES_SETTLED)
        for frame in page.frames:
            frame.wait_for_load_state()
        return path

    return take


@pytest.fixture
def live(make_app, tool_server, lms):
    """The embedded LMS live, registered with the tool, and the demo course seeded."""
    app = make_app(TOOL_BASE_URL=tool_server.url)
    with app.app_context():
        register_lms(lms)
    return lms, seed(app, lms)


@pytest.fixture
def worker(make_app, tool_server):
    """The demo's worker: a thread sending grades to the LMS as soon as they change."""
    from lti_tool.worker import start_in_thread

    app = make_app(TOOL_BASE_URL=tool_server.url)
    running, thread = start_in_thread(app, idle_seconds=0.1)
    yield running
    running.stop.set()
    thread.join(10)
