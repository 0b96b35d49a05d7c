"""The "Practise on Aeyia" page: seeded by the demo with its call to action to the
application, one per site, and linked from the site navigation and footer (to the
application itself while there is no live page, so the link never breaks)."""

import pytest
from django.core.cache import cache

from marketing_site.pages.demo import seed_site
from marketing_site.pages.models import HomePage, PractisePage
from marketing_site.pages.templatetags.practise_tags import CACHE_KEY
from tests.marketing_site.pages.factories import home_page

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> list[str]:
    return [
        line for line in html.splitlines() if "Practise on Aeyia</a>" in line and "href=" in line
    ]


def test_the_demo_seeds_the_page_with_its_call_to_action(client):
    seed_site()
    page = PractisePage.objects.live().get()
    assert page.url == "/practise/"
    assert {block.block_type for block in page.body} >= {
        "feature_grid",
        "rich_text",
        "faq",
        "call_to_action",
    }
    response = client.get("/practise/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/practise/apply/"' in html
    assert "What verification needs" in html
    assert "Questions practitioners ask" in html
    # Header and footer both lead here.
    links = nav_links(html)
    assert len(links) == 2
    assert all('href="/practise/"' in link for link in links)
    assert 'aria-current="page">Practise on Aeyia' in html


def test_there_is_at_most_one_practise_page():
    assert PractisePage.max_count == 1
    assert PractisePage.can_create_at(home_page())
    seed_site()
    assert not PractisePage.can_create_at(HomePage.objects.get())


def test_without_a_live_page_the_link_opens_the_application(client):
    home_page()
    links = nav_links(client.get("/").content.decode())
    assert len(links) == 2
    assert all('href="/practise/apply/"' in link for link in links)
    assert client.get("/practise/apply/").status_code == 200


def test_publishing_and_unpublishing_move_the_link(client):
    seed_site()
    page = PractisePage.objects.get()
    assert 'href="/practise/"' in nav_links(client.get("/about/").content.decode())[0]
    page.unpublish()
    assert cache.get(CACHE_KEY) is None
    assert 'href="/practise/apply/"' in nav_links(client.get("/about/").content.decode())[0]
    page.save_revision().publish()
    assert 'href="/practise/"' in nav_links(client.get("/blog/").content.decode())[0]
