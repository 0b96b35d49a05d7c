"""The site shell: navigation without JavaScript on a phone, the skip link, signing out
with a POST, robots.txt, and the standalone 500 page."""

import pytest
from django.template.loader import render_to_string

from accounts.roles import Role
from tests.accounts.factories import UserFactory
from tests.browser.support import PHONE, sign_in


@pytest.mark.browser
def test_phone_navigation_works_without_javascript(live_server, home_page, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url)
        navigation = page.get_by_role("navigation", name="Primary")
        for name in ("Home", "Sign in", "Create account"):
            link = navigation.get_by_role("link", name=name)
            assert link.is_visible()
            box = link.bounding_box()
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        navigation.get_by_role("link", name="Sign in").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Sign In"
    finally:
        context.close()


@pytest.mark.browser
def test_skip_link_moves_focus_to_main(live_server, home_page, page):
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    assert skip_link.evaluate("link => link === document.activeElement")
    assert skip_link.is_visible()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.browser
def test_sign_out_from_the_header(live_server, home_page, page):
    user = UserFactory(email="leaving@example.org", roles=[Role.CLIENT])
    sign_in(page, live_server.url, user.email)

    page.get_by_role("navigation", name="Primary").get_by_role("button", name="Sign out").click()

    page.wait_for_url(f"{live_server.url}/")
    navigation = page.get_by_role("navigation", name="Primary")
    assert navigation.get_by_role("link", name="Sign in").is_visible()


@pytest.mark.browser
def test_robots_txt_keeps_crawlers_out_of_private_areas(live_server, home_page, page, settings):
    settings.SEO_ALLOW_INDEXING = True  # production
    response = page.goto(f"{live_server.url}/robots.txt")

    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text().splitlines()
    for rule in (
        "User-agent: *",
        "Disallow: /cms/",
        "Disallow: /django-admin/",
        "Disallow: /accounts/",
    ):
        assert rule in lines
    assert "Disallow: /" not in lines
    assert any(line.startswith("Sitemap: ") and line.endswith("/sitemap.xml") for line in lines)


@pytest.mark.browser
def test_robots_txt_keeps_crawlers_out_of_everything_outside_production(
    live_server, page, settings
):
    settings.SEO_ALLOW_INDEXING = False
    response = page.goto(f"{live_server.url}/robots.txt")

    assert response.headers["content-type"].startswith("text/plain")
    lines = [line for line in response.text().splitlines() if line.strip()]
    assert lines == ["User-agent: *", "Disallow: /"]


def test_500_page_renders_without_a_request_or_context_processors():
    html = render_to_string("500.html")

    assert '<html lang="en">' in html
    assert "Something went wrong on our side" in html
    assert "/static/css/site.css" in html
