"""Browser fixtures: Debian's chromium, headless, driven by Playwright; screenshots as artifacts."""

from __future__ import annotations

import logging
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
log = logging.getLogger(__name__)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def launch_in_lms(page, lms, who: str) -> str:
    """Open the demo course in the LMS as `who`; the launch token of the tool's frame."""
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={who}")
    page.frame_locator("iframe[name=tool-frame]").locator("h1").first.wait_for()
    return re.search(r"launch=([^&]+)", page.frame(name="tool-frame").url).group(1)


# Expectations after a click wait as long as the page fixture's actions (15 s): the machine is
# shared, and a loaded server can take more than expect's default 5 s.
AFTER_SUBMIT = 15_000


def settle(page, arrived=None, timeout: float = AFTER_SUBMIT) -> None:
    """Wait for the tool frame's new page (`arrived`, a locator on it), then until the LMS has
    stopped resizing the frame: a click while the frame grows can land where the element was
    (the frame's own scroll is reset under it)."""
    if arrived is not None:
        arrived.wait_for(timeout=timeout)
    page.evaluate(FRAMES_SETTLED)


def follow(control, arrived, timeout: float = AFTER_SUBMIT) -> None:
    """Click `control` (a link, a button, a summary) once the LMS has stopped resizing the tool's
    frame, and wait until `arrived` (a locator on what the click leads to) shows.

    A click that lands while the frame moves is lost: nothing is sent and nothing opens. Only
    then is the control activated once more, from the keyboard, which does not depend on where
    it is drawn. A click that started a page load is never repeated, so no form is sent twice.
    """
    page = control.page
    loads: list[object] = []

    def note(request) -> None:
        if request.is_navigation_request():
            loads.append(request)

    page.on("request", note)
    try:
        settle(page)
        control.click()
        if not _took_effect(page, loads, arrived):
            log.warning("a click on %s did nothing: activated again from the keyboard", control)
            settle(page)
            control.press("Enter")
    finally:
        page.remove_listener("request", note)
    arrived.wait_for(timeout=timeout)


def _took_effect(page, loads: list[object], arrived, within_ms: int = 5000) -> bool:
    """Whether the click started a page load or brought `arrived`, within `within_ms`."""
    for _ in range(within_ms // 100):
        if loads or arrived.is_visible():
            return True
        page.wait_for_timeout(100)  # lets Playwright deliver the request events
    return bool(loads) or arrived.is_visible()


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report ends with what each frame showed (its address and text),
    since the assertion alone cannot tell a lost click from an error page."""
    report = yield
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        report.sections.append(("what the browser showed", _shown(page)))
    return report


def _shown(page) -> str:
    parts = []
    for frame in page.frames:
        try:
            text = frame.locator("body").inner_text(timeout=2000)
        except Exception as error:  # the page may be gone or hung: say so, and go on
            text = f"(unreadable: {error.__class__.__name__})"
        parts.append(f"--- frame {frame.name or '(top)'} at {frame.url}\n{text[:1500]}")
    return "\n".join(parts)


@pytest.fixture(scope="session")
def playwright() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def chromium(playwright) -> Iterator[object]:
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
