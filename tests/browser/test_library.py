"""The library in Chromium: axe finds nothing on the index, an open item and a locked item
at phone and desktop widths, no Content Security Policy violations, and a client buys a
credits item from its page and reads it."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

from cms.library.demo import seed_library
from commerce.memberships.defaults import ensure_default_plans
from commerce.memberships.models import MembershipPlan
from tests.accounts.factories import UserFactory
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.commerce.credits.factories import give_credits

pytestmark = pytest.mark.browser


@pytest.fixture
def library(home_page, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    ensure_default_plans(MembershipPlan)
    seed_library()


def log_in(page: Page, base_url: str, user) -> None:
    """A session made by Django's test client: the pages under test ask no second factor."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_library_index_passes_axe(live_server, library, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/library/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Library"
    assert axe_page.locator(".library-lock", has_text="Premium members").first.is_visible()
    assert_accessible(axe_page)

    axe_page.get_by_label("Format").select_option("worksheet")
    axe_page.get_by_role("button", name="Show items").click()
    axe_page.wait_for_url("**format=worksheet**")
    assert axe_page.get_by_role("heading", name="2 items").is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_open_item_passes_axe(live_server, library, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/library/why-sleep-slips-away/")

    assert axe_page.get_by_text("Start with a steady wake-up time").is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_locked_item_passes_axe(live_server, library, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/library/understanding-anxiety-loops/")

    assert axe_page.get_by_role("link", name="Create a free account").first.is_visible()
    assert axe_page.get_by_text("Anxiety loops run on avoidance").count() == 0
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_client_buys_an_item_with_credits(live_server, library, axe_page, viewport):
    user = UserFactory()
    give_credits(user=user, amount=5)
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, user)
    axe_page.goto(f"{live_server.url}/library/deep-rest-guided-audio/")

    assert axe_page.get_by_text("You have 5 credits").is_visible()
    assert_accessible(axe_page)
    axe_page.get_by_role("button", name="Buy for 3 credits").click()

    axe_page.wait_for_selector("audio")
    assert axe_page.get_by_text("is yours").is_visible()
    assert_accessible(axe_page)
    source = axe_page.locator("audio").get_attribute("src")
    audio = axe_page.request.get(f"{live_server.url}{source}")
    assert audio.status == 200 and audio.headers["content-type"] == "audio/x-wav"


def test_library_pages_keep_to_the_csp(live_server, library, page, csp_violations):
    for path in ("/library/", "/library/why-sleep-slips-away/", "/library/thought-record/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert csp_violations == []
