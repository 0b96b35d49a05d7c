"""`seed_site()` (called by seed_demo) makes one of every marketing page type, and running
it again changes nothing."""

import pytest
from wagtail.models import Page

from cms.core import models as snippets
from marketing_site.pages.demo import seed_site
from marketing_site.pages.models import (
    BlogIndexPage,
    BlogPostPage,
    HomePage,
    LandingPage,
    ModalityPage,
    StandardPage,
)
from tests.marketplace.practitioners.factories import ModalityFactory

pytestmark = pytest.mark.django_db


def test_seed_site_is_complete_and_idempotent(client):
    ModalityFactory(name="Shiatsu", slug="shiatsu")
    ModalityFactory(name="Life coaching", slug="life-coaching")

    lines = seed_site()
    counts = (
        Page.objects.count(),
        snippets.Testimonial.objects.count(),
        snippets.FaqItem.objects.count(),
    )
    seed_site()

    assert (
        Page.objects.count(),
        snippets.Testimonial.objects.count(),
        snippets.FaqItem.objects.count(),
    ) == counts
    assert any("/start/" in line for line in lines)
    for model in (HomePage, LandingPage, StandardPage, BlogIndexPage, ModalityPage):
        assert model.objects.live().exists(), model
    assert BlogPostPage.objects.live().count() == 3
    assert ModalityPage.objects.count() == 2
    home = HomePage.objects.get()
    assert {block.block_type for block in home.body} >= {
        "testimonials",
        "practitioner_spotlight",
        "course_spotlight",
        "pricing_table",
        "faq",
    }
    for path in ("/", "/start/", "/about/", "/therapies/", "/therapies/shiatsu/", "/blog/"):
        assert client.get(path).status_code == 200, path
    for post in BlogPostPage.objects.all():
        assert client.get(post.url).status_code == 200
        assert post.authors.exists() and post.tags.exists()
