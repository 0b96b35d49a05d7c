"""A page's query count does not grow with what it shows: blocks and practitioners on the
home page, blocks on a landing page, posts on the blog, practitioners on a modality page,
entries in the sitemap (10 against 200)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.memberships.models import MembershipPlan
from tests.cms.core.factories import FaqItemFactory, ImageFactory, TestimonialFactory
from tests.cms.courses.factories import CourseFactory
from tests.marketing_site.pages.factories import (
    BlogAuthorFactory,
    BlogIndexPageFactory,
    BlogPostPageFactory,
    LandingPageFactory,
    ModalityPageFactory,
    home_page,
)
from tests.marketplace.practitioners.factories import (
    ModalityFactory,
    PractitionerProfileFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.MARKETING_PAGE_CACHE_SECONDS = 0


def queries_for(client, path: str) -> int:
    assert client.get(path).status_code == 200  # warm: renditions are made on first view
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def landing_body(rounds: int, *, images, testimonials, faqs) -> list[dict]:
    body = []
    for number in range(rounds):
        body += [
            {"type": "rich_text", "value": f"<p>Paragraph {number}</p>"},
            {"type": "image", "value": {"image": images[number % len(images)].pk}},
            {
                "type": "testimonials",
                "value": {"heading": "Said", "testimonials": [t.pk for t in testimonials]},
            },
            {"type": "faq", "value": {"heading": "Asked", "items": [f.pk for f in faqs]}},
            {"type": "practitioner_spotlight", "value": {"heading": "Meet", "count": 3}},
            {"type": "course_spotlight", "value": {"heading": "Learn", "count": 3}},
            {"type": "pricing_table", "value": {"heading": "Plans"}},
            {
                "type": "video",
                "value": {
                    "url": "https://vimeo.com/1",
                    "title": "Breathing",
                    "poster": images[0].pk,
                },
            },
            {
                "type": "call_to_action",
                "value": {"heading": "Go", "link_text": "Go", "link_url": "/practitioners/"},
            },
        ]
    return body


def test_landing_page_queries_do_not_grow_with_blocks(client):
    home = home_page()
    images = [ImageFactory() for _ in range(3)]
    testimonials = [TestimonialFactory(image=ImageFactory()) for _ in range(3)]
    faqs = FaqItemFactory.create_batch(3)
    for _ in range(4):
        ServiceFactory()
    CourseFactory.create_batch(3)
    assert MembershipPlan.objects.filter(is_active=True).exists()  # made by a migration
    shared = {"images": images, "testimonials": testimonials, "faqs": faqs}
    LandingPageFactory(parent=home, slug="few", body=landing_body(10, **shared))
    LandingPageFactory(parent=home, slug="many", body=landing_body(200, **shared))

    few = queries_for(client, "/few/")
    many = queries_for(client, "/many/")

    assert many == few, (few, many)


def home_body(rounds: int, *, images, testimonials, faqs) -> list[dict]:
    """Every block the home page offers, `rounds` times over."""
    body = landing_body(rounds, images=images, testimonials=testimonials, faqs=faqs)
    for number in range(rounds):
        body += [
            {
                "type": "hero",
                "value": {"heading": f"Welcome {number}", "image": images[0].pk},
            },
            {
                "type": "feature_grid",
                "value": {"heading": "Why", "features": [{"title": "Calm", "text": "Yes"}]},
            },
            {"type": "lead_form", "value": {"heading": "Stay in touch", "interest": "news"}},
        ]
    return body


def test_home_page_queries_do_not_grow_with_blocks_or_practitioners(client):
    home = home_page()
    images = [ImageFactory() for _ in range(3)]
    testimonials = [TestimonialFactory(image=ImageFactory()) for _ in range(3)]
    shared = {
        "images": images,
        "testimonials": testimonials,
        "faqs": FaqItemFactory.create_batch(3),
    }
    CourseFactory.create_batch(3)
    for _ in range(10):
        ServiceFactory()
    home.body = home_body(10, **shared)
    home.save_revision().publish()
    few = queries_for(client, "/")

    for _ in range(190):
        ServiceFactory()
    home.body = home_body(200, **shared)
    home.save_revision().publish()
    many = queries_for(client, "/")

    assert "Stay in touch" in client.get("/").content.decode()
    assert many == few, (few, many)


def test_blog_index_queries_do_not_grow_with_posts(client):
    home = home_page()
    authors = BlogAuthorFactory.create_batch(2)
    few = BlogIndexPageFactory(parent=home)
    for number in range(10):
        BlogPostPageFactory(
            parent=few, hero_image=ImageFactory(), authors=authors, tags=[f"tag{number}"]
        )
    counted_few = queries_for(client, few.url)
    for number in range(190):
        BlogPostPageFactory(
            parent=few, hero_image=ImageFactory(), authors=authors, tags=[f"more{number}"]
        )

    assert queries_for(client, few.url) == counted_few
    assert queries_for(client, f"{few.url}?page=17") == counted_few


def test_modality_page_queries_do_not_grow_with_practitioners(client):
    modality = ModalityFactory(name="Shiatsu", slug="shiatsu")
    page = ModalityPageFactory(parent=home_page(), modality=modality)
    for _ in range(10):
        ServiceFactory(modality=modality)
    counted_few = queries_for(client, page.url)
    for _ in range(190):
        ServiceFactory(modality=modality, practitioner=PractitionerProfileFactory())

    assert queries_for(client, page.url) == counted_few


def test_sitemap_queries_do_not_grow_with_pages_and_practitioners(client):
    home = home_page()
    blog = BlogIndexPageFactory(parent=home)
    for _ in range(10):
        BlogPostPageFactory(parent=blog)
        ServiceFactory()
    counted_few = queries_for(client, "/sitemap.xml")
    for _ in range(190):
        BlogPostPageFactory(parent=blog)
        ServiceFactory()

    assert queries_for(client, "/sitemap.xml") == counted_few
