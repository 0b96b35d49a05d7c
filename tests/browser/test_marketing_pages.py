"""The marketing site in Chromium: axe finds nothing on the home, landing and blog post
pages on a phone or a desktop, the strict Content Security Policy reports nothing (JSON-LD
included), nothing scrolls sideways, and the FAQ opens from the keyboard."""

import pytest

from marketing_site.pages.models import BlogPostPage
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.marketing_site.pages.factories import marketing_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def site(home_page):
    return marketing_demo()


def marketing_paths() -> list:
    return [
        pytest.param("/", "Feel better, with people who know how to help", id="home"),
        pytest.param("/start/", "Find the right practitioner in minutes", id="landing"),
        pytest.param("post", "How to choose a therapist who fits", id="blog-post"),
    ]


def resolve(path: str) -> str:
    if path == "post":
        return BlogPostPage.objects.get(slug="choosing-a-therapist").url
    return path


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(("path", "heading"), marketing_paths())
def test_marketing_page_passes_axe(live_server, site, axe_page, viewport, path, heading):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}{resolve(path)}")

    assert axe_page.get_by_role("heading", level=1).inner_text() == heading
    assert axe_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(("path", "heading"), marketing_paths())
def test_marketing_page_keeps_to_the_content_security_policy(
    live_server, site, page, csp_violations, viewport, path, heading
):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}{resolve(path)}")
    page.wait_for_load_state("load")

    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert csp_violations == []


def test_landing_page_shows_live_data_and_the_faq_opens_from_the_keyboard(live_server, site, page):
    page.goto(f"{live_server.url}/start/")

    assert page.get_by_role("link", name="Priya Patel").is_visible()
    assert page.get_by_role("link", name="Sleep, gently").is_visible()
    assert page.get_by_role("link", name="Choose Member").is_visible()
    question = page.get_by_text("Can I meet online?")
    answer = page.get_by_text("Most practitioners offer secure video sessions")
    assert not answer.is_visible()
    question.focus()
    page.keyboard.press("Enter")
    assert answer.is_visible()
