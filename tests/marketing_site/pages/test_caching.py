"""Anonymous visitors get marketing pages from the cache; publishing or unpublishing any
page empties it; signed-in people, previews, pages with messages and responses with
cookies are never cached."""

import pytest
from django.test import RequestFactory

from marketing_site.pages.caching import CACHE_HEADER, page_cache_purge
from tests.accounts.factories import UserFactory
from tests.marketing_site.pages.factories import StandardPageFactory, home_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return StandardPageFactory(parent=home_page(), title="About", slug="about")


def test_second_anonymous_visit_is_served_from_the_cache(
    client, page, django_assert_max_num_queries
):
    first = client.get("/about/")
    # Only Wagtail's routing: the site, the pages along the path, view restrictions.
    with django_assert_max_num_queries(6):
        second = client.get("/about/")

    assert first[CACHE_HEADER] == "miss"
    assert second[CACHE_HEADER] == "hit"
    assert second.content == first.content
    assert not second.cookies
    assert "Set-Cookie" not in second


def test_publishing_purges_the_cache(client, page):
    client.get("/about/")
    page.title = "About us"
    page.save_revision().publish()

    response = client.get("/about/")

    assert response[CACHE_HEADER] == "miss"
    assert "About us" in response.content.decode()


def test_publishing_another_page_purges_too(client, page):
    """Home and landing pages show other pages (courses, posts), so any publish counts."""
    client.get("/about/")
    StandardPageFactory(parent=home_page(), title="Privacy", slug="privacy")

    assert client.get("/about/")[CACHE_HEADER] == "miss"


def test_unpublishing_purges_the_cache(client, page):
    client.get("/about/")
    page.unpublish()

    assert client.get("/about/").status_code == 404


def test_signed_in_people_never_get_or_fill_the_cache(client, page):
    client.get("/about/")  # cached for anonymous visitors
    user = UserFactory(first_name="Ada")
    client.force_login(user)

    signed_in = client.get("/about/")

    assert CACHE_HEADER not in signed_in
    assert "Sign out" in signed_in.content.decode()
    client.logout()
    anonymous = client.get("/about/")
    assert anonymous[CACHE_HEADER] == "hit"
    assert "Sign out" not in anonymous.content.decode()


def test_a_visit_with_a_pending_message_is_neither_served_nor_stored(client, page):
    client.get("/about/")  # cached without any message
    client.force_login(UserFactory())
    client.post("/accounts/logout/")

    with_message = client.get("/about/")
    after = client.get("/about/")

    assert CACHE_HEADER not in with_message
    assert "You have signed out." in with_message.content.decode()
    assert after[CACHE_HEADER] == "hit"
    assert "You have signed out." not in after.content.decode()


def test_unknown_query_parameters_bypass_the_cache(client, page):
    client.get("/about/?utm_source=newsletter")

    assert client.get("/about/?utm_source=newsletter")[CACHE_HEADER] == "hit"
    assert CACHE_HEADER not in client.get("/about/?nonce=1")
    assert CACHE_HEADER not in client.get("/about/?nonce=1")


def test_previews_are_never_cached(page):
    page.title = "Draft title"
    response = page.make_preview_request()

    assert CACHE_HEADER not in response
    assert "Draft title" in response.content.decode()


def test_a_purge_makes_every_cached_page_stale(client, page):
    client.get("/")
    client.get("/about/")
    page_cache_purge()

    assert client.get("/")[CACHE_HEADER] == "miss"
    assert client.get("/about/")[CACHE_HEADER] == "miss"


def test_the_cache_can_be_switched_off(client, page, settings):
    settings.MARKETING_PAGE_CACHE_SECONDS = 0
    client.get("/about/")

    assert CACHE_HEADER not in client.get("/about/")


def test_saving_a_snippet_purges_the_cache(client, page):
    from wagtail import hooks

    from marketing_site.pages.wagtail_hooks import purge_page_cache

    client.get("/about/")
    purge_page_cache(RequestFactory().post("/"), object())

    assert client.get("/about/")[CACHE_HEADER] == "miss"
    for hook_name in ("after_create_snippet", "after_edit_snippet", "after_delete_snippet"):
        assert purge_page_cache in hooks.get_hooks(hook_name)


@pytest.fixture
def early_cache(settings):
    """The middleware the lead adds to MIDDLEWARE (after the message middleware)."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "marketing_site.pages.caching.PageCacheMiddleware"]


def test_the_middleware_answers_hits_without_routing(
    client, page, early_cache, django_assert_num_queries
):
    first = client.get("/about/")
    with django_assert_num_queries(0):
        second = client.get("/about/")

    assert first[CACHE_HEADER] == "miss"
    assert second[CACHE_HEADER] == "hit"
    assert second.content == first.content
    assert "Set-Cookie" not in second


def test_the_middleware_keeps_the_rules(client, page, early_cache):
    client.get("/about/")
    client.force_login(UserFactory())
    assert CACHE_HEADER not in client.get("/about/")
    client.logout()
    page.unpublish()

    assert client.get("/about/").status_code == 404
    assert client.get("/accounts/login/").status_code == 200
