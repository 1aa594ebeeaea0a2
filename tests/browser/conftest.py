"""Playwright driving Debian's Chromium (never `playwright install`) against pytest-django's live_server."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from socialmetrics import preflight

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = preflight.chromium_path()
    if not Path(chromium).exists():
        pytest.fail(f"{chromium} is missing: `make test` installs it (socialmetrics/preflight.py)")
    # Playwright's sync API keeps an event loop in this thread while the browser lives; the test's own
    # ORM calls are still synchronous, so Django's async-safety check is lifted for this module only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


class PageWatch:
    """Records every request URL and every console error of a page."""

    def __init__(self):
        self.requests: list[str] = []
        self.console_errors: list[str] = []

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).scheme not in ("data", "blob", "about")
                and urlsplit(u).hostname not in ("127.0.0.1", "localhost")]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    page = context.new_page()
    watch = PageWatch()

    def route(route):
        watch.requests.append(route.request.url)
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            route.abort()  # and the assertion below reports it

    context.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and watch.console_errors.append(message.text))
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.watch = watch
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str, *, full_page: bool = True):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return take


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Polls `expression` in the page until it is truthy. (Playwright's wait_for_function compiles its
    predicate inside the page, which the Content-Security-Policy's script-src forbids as eval.)"""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(100)
