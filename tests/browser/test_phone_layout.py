"""Phones (390 px) in Chromium: the site header is one line with a "Menu" button that
opens and closes the navigation (mouse and keyboard, aria-expanded); on the directory the
filters fold behind a disclosure so the first practitioner card is in the first viewport;
cards show a photo or an initials avatar and the next available time. On a desktop the
navigation and the filters show in full. axe finds nothing either way."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.support import DESKTOP, PHONE, assert_accessible
from tests.browser.test_practitioner_pages import practitioners  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("AEYIA_SCREENSHOTS")  # a folder: keep screenshots of the layout


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=False)


def test_the_phone_header_is_one_line_with_a_menu_button(live_server, home_page, page):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/practitioners/")

    header = page.locator("header.site-header")
    menu = page.get_by_role("button", name="Menu")
    wordmark = page.locator(".wordmark")
    expect(menu).to_be_visible()
    assert header.bounding_box()["height"] < 80
    menu_box, mark_box = menu.bounding_box(), wordmark.bounding_box()
    assert (
        abs((menu_box["y"] + menu_box["height"] / 2) - (mark_box["y"] + mark_box["height"] / 2)) < 8
    )
    nav = page.get_by_role("navigation", name="Primary")
    expect(nav).to_be_hidden()
    assert menu.get_attribute("aria-expanded") == "false"
    _shot(page, "header-390-closed")

    menu.click()
    expect(nav).to_be_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    expect(nav.get_by_role("link", name="Library")).to_be_visible()
    _shot(page, "header-390-open")

    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.textContent.trim()") == "Menu"

    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="Library").focus()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()


def test_the_desktop_header_shows_the_navigation_without_a_menu_button(
    live_server, home_page, page
):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/practitioners/")

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Primary").get_by_role("link", name="Library")
    ).to_be_visible()
    _shot(page, "directory-1280")


@pytest.mark.usefixtures("practitioners")
def test_the_phone_directory_shows_results_first_with_photos_and_next_times(
    live_server,
    home_page,
    page,
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/practitioners/")

    first_card = page.locator(".practitioner-card").first
    box = first_card.bounding_box()
    assert box["y"] < PHONE["height"], f"first card starts at {box['y']}px"
    filters = page.locator("details.directory__filters")
    assert filters.get_attribute("open") is None
    expect(page.get_by_label("Search")).to_be_hidden()
    _shot(page, "directory-390")

    for card in page.locator(".practitioner-card").all():
        avatar = card.locator(".practitioner-card__photo")
        expect(avatar).to_be_visible()
        next_time = card.locator(".practitioner-card__next")
        expect(next_time).to_contain_text("Next available")
        assert next_time.locator("time").get_attribute("datetime")
    assert first_card.locator(".practitioner-card__photo").inner_text() in {"PP", "MR", "AO"}

    page.get_by_text("Filter practitioners").click()
    expect(page.get_by_label("Search")).to_be_visible()
    page.get_by_label("Search").fill("Priya")
    page.get_by_role("button", name="Show practitioners").click()
    expect(page.locator(".practitioner-card")).to_have_count(1)
    expect(page.locator(".directory__filters-toggle")).to_contain_text("1 on")


@pytest.mark.usefixtures("practitioners")
def test_the_desktop_directory_shows_the_filters_open(
    live_server,
    home_page,
    page,
):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/practitioners/")

    expect(page.get_by_label("Search")).to_be_visible()
    assert page.locator("details.directory__filters").get_attribute("open") is not None


@pytest.mark.usefixtures("practitioners")
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_directory_and_its_open_menu_pass_axe(
    live_server,
    home_page,
    axe_page,
    viewport,
):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/practitioners/")
    if viewport == PHONE:
        axe_page.get_by_role("button", name="Menu").click()

    assert_accessible(axe_page)
