"""Each page type's head: title, description, canonical, Open Graph, Twitter card and the
structured data search engines read (parsed with html.parser and json.loads)."""

import pytest

from tests.cms.core.factories import FaqItemFactory, ImageFactory
from tests.cms.core.html import json_ld_types, parse_head
from tests.marketing_site.pages.factories import (
    BlogAuthorFactory,
    BlogIndexPageFactory,
    BlogPostPageFactory,
    LandingPageFactory,
    home_page,
)

pytestmark = pytest.mark.django_db


def test_home_describes_the_organization_and_site_search(client):
    home = home_page()

    head = parse_head(client.get("/").content.decode())
    found = json_ld_types(head)

    assert head.title == home.seo_title
    assert head.meta["description"] == [home.search_description]
    assert head.links["canonical"] == ["http://localhost/"]
    assert head.meta["og:url"] == ["http://localhost/"]
    assert head.meta["og:type"] == ["website"]
    assert found["Organization"]["name"] == "Aeyia"
    assert found["Organization"]["logo"] == "http://localhost/static/img/logo-512.png"
    action = found["WebSite"]["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == (
        "http://localhost/practitioners/?q={search_term_string}"
    )
    assert action["query-input"] == "required name=search_term_string"
    assert "BreadcrumbList" not in found  # the home page is the whole trail


def test_landing_page_faqs_become_faq_page_data(client):
    first = FaqItemFactory(question="Is it private?", answer="<p>Yes, <b>always</b>.</p>")
    second = FaqItemFactory(question="Can I cancel?", answer="<p>Up to a day before.</p>")
    page = LandingPageFactory(
        parent=home_page(),
        title="Start here",
        slug="start",
        body=[
            {"type": "faq", "value": {"heading": "Questions", "items": [first.pk]}},
            {"type": "faq", "value": {"heading": "More", "items": [second.pk]}},
        ],
    )

    head = parse_head(client.get(page.url).content.decode())
    found = json_ld_types(head)

    questions = found["FAQPage"]["mainEntity"]
    assert [question["name"] for question in questions] == ["Is it private?", "Can I cancel?"]
    assert questions[0]["acceptedAnswer"] == {"@type": "Answer", "text": "Yes, always."}
    crumbs = found["BreadcrumbList"]["itemListElement"]
    assert [crumb["item"] for crumb in crumbs] == ["http://localhost/", "http://localhost/start/"]
    assert [crumb["position"] for crumb in crumbs] == [1, 2]


def test_blog_post_is_a_blog_posting_with_authors_and_image(client):
    blog = BlogIndexPageFactory(parent=home_page())
    post = BlogPostPageFactory(
        parent=blog,
        title="Sleep better",
        search_description="How to sleep better.",
        hero_image=ImageFactory(),
        authors=[BlogAuthorFactory(name="Maya Chen")],
        tags=["sleep"],
    )

    head = parse_head(client.get(post.url).content.decode())
    posting = json_ld_types(head)["BlogPosting"]

    assert head.meta["og:type"] == ["article"]
    assert head.title == "Sleep better · Aeyia"
    assert posting["headline"] == "Sleep better"
    assert posting["description"] == "How to sleep better."
    assert posting["datePublished"] == "2026-11-01"
    assert posting["author"] == [{"@type": "Person", "name": "Maya Chen"}]
    assert posting["keywords"] == ["sleep"]
    assert posting["mainEntityOfPage"] == "http://localhost/blog/sleep-better/"
    # The hero image stands in for a social image the editor did not choose.
    assert posting["image"] == head.meta["og:image"][0]
    assert ".fill-1200x630" in posting["image"]
    crumbs = json_ld_types(head)["BreadcrumbList"]["itemListElement"]
    assert [crumb["name"] for crumb in crumbs][1:] == ["Blog", "Sleep better"]


def test_content_images_are_responsive_with_webp(client):
    from wagtail.images.tests.utils import get_test_image_file

    image = ImageFactory(file=get_test_image_file(size=(1600, 900)))
    page = LandingPageFactory(
        parent=home_page(),
        slug="pictures",
        body=[
            {"type": "image", "value": {"image": image.pk, "alt_text": "A calm room"}},
        ],
    )

    html = client.get(page.url).content.decode()

    assert "<picture>" in html
    assert 'type="image/webp"' in html
    assert 'alt="A calm room"' in html
    assert "srcset=" in html and " 800w" in html
