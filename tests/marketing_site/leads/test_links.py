"""Sign-up and sign-in links on the marketing site (header, footer, pricing table) bring
the person back to the page they were on (`?next=`), also when the page comes from the
page cache; the front page and the sign-in pages themselves use allauth's default."""

import re

import pytest

from tests.marketing_site.pages.factories import LandingPageFactory, home_page

pytestmark = pytest.mark.django_db

SIGN_LINKS = re.compile(r'href="(/accounts/(?:login|signup)/[^"]*)"')


@pytest.fixture
def landing():
    return LandingPageFactory(
        parent=home_page(),
        title="Spring",
        slug="spring",
        body=[{"type": "pricing_table", "value": {"heading": "Plans"}}],
    )


def sign_links(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    return SIGN_LINKS.findall(response.content.decode())


def test_links_on_a_marketing_page_keep_the_page_as_next(client, landing):
    first = sign_links(client, "/spring/?utm_source=flyer")
    cached = sign_links(client, "/spring/?utm_source=flyer")

    assert first == cached
    # header (2), pricing table's free plan (1), footer (2); the campaign rides in the
    # attribution cookie, not in next.
    assert sorted(first) == [
        "/accounts/login/?next=%2Fspring%2F",
        "/accounts/login/?next=%2Fspring%2F",
        "/accounts/signup/?next=%2Fspring%2F",
        "/accounts/signup/?next=%2Fspring%2F",
        "/accounts/signup/?next=%2Fspring%2F",
    ]


def test_the_front_page_and_the_sign_in_pages_link_without_next(client, landing):
    assert "?next=" not in " ".join(sign_links(client, "/"))
    assert "?next=" not in " ".join(sign_links(client, "/accounts/signup/"))


def test_the_sign_up_form_behind_the_link_carries_next(client, landing):
    signup = next(link for link in sign_links(client, "/spring/") if "signup" in link)

    html = client.get(signup).content.decode()

    assert re.search(r'<input[^>]*name="next"[^>]*value="/spring/"', html), html
