"""`{% seo_meta %}` works for any Wagtail page: with SeoMixin it honours the canonical
override, noindex and social image; without it, it falls back to Wagtail's own fields."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from cms.core.templatetags.seo_tags import json_ld_script
from tests.cms.core.factories import ImageFactory
from tests.cms.core.html import json_ld_types, parse_head
from tests.marketing_site.pages.factories import StandardPageFactory, home_page

pytestmark = pytest.mark.django_db


def render_head(page) -> str:
    request = RequestFactory().get(page.url, HTTP_HOST="localhost")
    return Template("{% load seo_tags %}{% seo_meta %}").render(
        Context({"page": page, "request": request})
    )


def test_a_page_without_the_mixin_falls_back_to_wagtail_fields():
    home = home_page()
    plain = home.add_child(
        instance=Page(title="Plain", slug="plain", search_description="Plain words.")
    )

    head = parse_head(render_head(plain))

    assert head.links["canonical"] == ["http://localhost/plain/"]
    assert head.meta["og:title"] == ["Plain"]
    assert head.meta["og:description"] == ["Plain words."]
    assert head.meta["og:image"] == ["http://localhost/static/img/og-default.png"]
    assert "robots" not in head.meta
    crumbs = json_ld_types(head)["BreadcrumbList"]["itemListElement"]
    assert [crumb["name"] for crumb in crumbs] == [home.title, "Plain"]


def test_the_mixin_sets_canonical_noindex_and_a_social_image_rendition():
    image = ImageFactory(title="Calm room", file=get_test_image_file(size=(1600, 900)))
    page = StandardPageFactory(
        parent=home_page(),
        title="Elsewhere",
        seo_title="Elsewhere, for search",
        canonical_url="https://example.org/original/",
        noindex=True,
        og_image=image,
    )

    head = parse_head(render_head(page))

    assert head.links["canonical"] == ["https://example.org/original/"]
    assert head.meta["robots"] == ["noindex"]
    assert head.meta["og:title"] == ["Elsewhere, for search"]
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert head.meta["og:image"][0].startswith("http://localhost/")
    assert ".fill-1200x630" in head.meta["og:image"][0]
    assert head.meta["og:image:width"] == ["1200"]
    assert head.meta["twitter:image"] == head.meta["og:image"]


def test_non_wagtail_pages_get_no_seo_tags():
    request = RequestFactory().get("/")
    html = Template("{% load seo_tags %}{% seo_meta %}").render(
        Context({"page": object(), "request": request})
    )
    assert html.strip() == ""


def test_json_ld_cannot_close_its_script_element():
    text = json_ld_script({"name": "</script><script>alert(1)</script>"})
    assert "</script>" not in text
    assert "\\u003C/script\\u003E" in text
