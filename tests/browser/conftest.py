"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against
pytest-django's live server.

Playwright's sync API keeps an asyncio loop running in the main thread while the browser is
open, which makes Django refuse ORM calls from that thread ("You cannot call this from an
async context"). The tests are synchronous, so the browser fixture allows those calls for
as long as the browser lives.
"""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from marketing_site.pages.demo import seed_home_page
from tests.browser.support import AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS, DESKTOP


def pytest_collection_modifyitems(items):
    """Browser tests use the live server, whose database is flushed after each test;
    serialized rollback restores what migrations created (Wagtail's root page and locale,
    the role groups) before each one."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci`")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile that enforces the site's Content Security Policy."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    """What the Content Security Policy blocked on `page`, as Chromium reports it."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page for axe runs. axe goes in as an inline script, which the site's CSP rightly
    refuses, so this profile bypasses CSP; test_csp.py checks the policy separately."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def home_page():
    """The Wagtail home page the demo seeds, served at /."""
    return seed_home_page()
