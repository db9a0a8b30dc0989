"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 860}},
}
BLOCKING_IMPACTS = {"serious", "critical"}

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        # Under CI=true the session already stopped with a failure (tests/conftest.py).
        pytest.skip(f"{CHROMIUM} is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport_name(request) -> str:
    return request.param


# A test that looks at nothing and whose assertions the window's size cannot change (the language a server picks,
# an autofill prompt) runs in the phone window only: the desktop run took the same path and asserted nothing more.
# The pages it passes through are looked at in both sizes by the tests beside it.
phone_window_only = pytest.mark.parametrize("viewport_name", ["phone"], indirect=True)


@pytest.fixture
def page(browser, viewport_name, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **VIEWPORTS[viewport_name])
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def other_browser(browser, viewport_name, live_server):
    """A second, separate browser (its own cookies) of the same size: "a new device"."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **VIEWPORTS[viewport_name])
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def browser_context(browser, live_server):
    """Open another person's browser, phone- or desktop-sized: `browser_context("phone")` returns its page."""
    contexts = []

    def open_context(size: str):
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **VIEWPORTS[size])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def look(page, viewport_name, request):
    """Screenshot the page as an artifact and fail on any serious or critical accessibility violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    folder = settings.ARTIFACTS_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"\[.*\]$", "", request.node.name).removeprefix("test_")

    def look(step: str, target=None, size: str = viewport_name) -> None:
        """Look at `page` (or another context's `target` page, whose window is `size`)."""
        target = target or page
        target.wait_for_load_state("networkidle")
        target.screenshot(path=folder / f"{test_name}--{step}--{size}.png", full_page=True)
        results = axe.run(target)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        assert not blocking, f"{step} on {target.url}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}" for v in blocking
        )

    return look


COURIER_PHONE = "+447911100555"  # the shared courier fixture's 2SV phone (tests/conftest.py)
