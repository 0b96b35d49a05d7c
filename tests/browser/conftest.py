"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against
pytest-django's live server.

Playwright's sync API keeps an asyncio loop running in the main thread while the browser is
open. Django notices that loop twice over: it refuses ORM calls from that thread ("You
cannot call this from an async context"), and its per-context connection storage would hand
out fresh connection objects, not the ones the test database was set up on. The tests are
synchronous, so the browser fixture allows those calls and keeps the connection objects the
rest of the run already uses.
"""

import os
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from marketing_site.pages.demo import seed_home_page
from tests.browser.support import AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.wagtail_tree import ensure_wagtail_tree


def pytest_collection_modifyitems(items):
    """Browser tests drive the live server, so their data is committed and the database
    is flushed after each one."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci`")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pinned = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, connection in pinned.items():
                connections[alias] = connection
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
    ensure_wagtail_tree()
    return seed_home_page()


@pytest.fixture
def editors_can_use_wagtail():
    """Wagtail's "Editors" group with the admin access its migration grants (a flush after
    an earlier committing test leaves the group without it)."""
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
