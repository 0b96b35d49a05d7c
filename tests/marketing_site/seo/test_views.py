"""robots.txt by environment and the sitemap's contents."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests.cms.courses.factories import CourseFactory
from tests.commerce.bookings.factories import AvailabilityRuleFactory
from tests.marketing_site.pages.factories import (
    BlogIndexPageFactory,
    BlogPostPageFactory,
    StandardPageFactory,
    home_page,
)
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_robots_outside_production_disallows_everything(client, settings):
    settings.SEO_ALLOW_INDEXING = False

    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    lines = [line for line in response.content.decode().splitlines() if line.strip()]
    assert lines == ["User-agent: *", "Disallow: /"]


def test_robots_in_production_keeps_private_areas_out_and_names_the_sitemap(client, settings):
    settings.SEO_ALLOW_INDEXING = True
    home_page()

    body = client.get("/robots.txt").content.decode()
    lines = body.splitlines()

    assert "Disallow: /" not in lines
    for rule in ("Disallow: /cms/", "Disallow: /django-admin/", "Disallow: /accounts/"):
        assert rule in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines


def test_robots_refuses_writes(client):
    assert client.post("/robots.txt").status_code == 405


def sitemap_entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314  (our own sitemap)
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def test_sitemap_lists_live_public_pages_and_bookable_profiles_with_lastmod(client):
    home = home_page()
    about = StandardPageFactory(parent=home, title="About", slug="about")
    StandardPageFactory(parent=home, title="Draft", slug="draft", live=False)
    StandardPageFactory(parent=home, title="Hidden", slug="hidden", noindex=True)
    private = StandardPageFactory(parent=home, title="Private", slug="private")
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=private, restriction_type="login")
    blog = BlogIndexPageFactory(parent=home)
    BlogPostPageFactory(parent=blog, title="A post", slug="a-post")
    bookable = ServiceFactory(
        practitioner=PractitionerProfileFactory(slug="aiko-mori")
    ).practitioner
    AvailabilityRuleFactory(practitioner=bookable)
    # Verified with a service but no availability: not listed, so not in the sitemap.
    ServiceFactory(practitioner=PractitionerProfileFactory(slug="no-hours-yet"))
    PractitionerProfileFactory(slug="not-yet", status="draft")
    course = CourseFactory(title="Sleep, gently", slug="sleep-gently", instructor=bookable)

    entries = sitemap_entries(client)
    about.refresh_from_db()

    today = timezone.now().date().isoformat()
    assert set(entries) == {
        "http://localhost/",
        "http://localhost/about/",
        "http://localhost/blog/",
        "http://localhost/blog/a-post/",
        "http://localhost/courses/",
        f"http://localhost/courses/{course.slug}/",
        f"http://localhost/practitioners/{bookable.slug}/",
    }
    assert entries["http://localhost/about/"] == about.last_published_at.date().isoformat()
    assert entries[f"http://localhost/practitioners/{bookable.slug}/"] == today


def test_redirects_editors_add_in_wagtail_answer_on_the_site(client):
    from wagtail.contrib.redirects.models import Redirect

    about = StandardPageFactory(parent=home_page(), title="About", slug="about")
    Redirect.objects.create(old_path="/who-we-are", redirect_page=about, is_permanent=True)

    response = client.get("/who-we-are/")

    assert response.status_code == 301
    assert response["Location"].endswith("/about/")
