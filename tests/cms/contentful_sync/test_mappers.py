"""Contentful articles, testimonials and FAQs become Wagtail library items and snippets.
Entries are built in the recorded Sync API shape with the recorded Rich Text document."""

import copy

import pytest
import responses
from wagtail.images import get_image_model

from cms.contentful_sync.mappers import MAPPERS
from cms.contentful_sync.models import ContentfulRecord
from cms.contentful_sync.services import contentful_sync_run
from cms.core import models as core_models
from cms.library.models import LibraryIndexPage, LibraryItemPage
from integrations.contentful.local import LocalContentful
from integrations.contentful.parsing import parse_item
from tests.cms.library.factories import library_index
from tests.integrations.contentful.recordings import (
    INITIAL_SYNC,
    png_bytes,
    recorded_asset,
    recorded_entry,
    rich_text_document,
    sync_body,
)

pytestmark = pytest.mark.django_db

Image = get_image_model()
HERO_URL = "https://images.ctfassets.net/cfexampleapi/hero/1/hero.png"


def _article(entry_id="breathing", revision=1, **fields):
    values = {
        "title": "Breathe out longer",
        "slug": "breathe-out-longer",
        "summary": "A short exercise.",
        "body": rich_text_document(),
    }
    values.update(fields)
    return recorded_entry(entry_id, content_type="article", fields=values, revision=revision)


def _publish(raw):
    LocalContentful.publish_item(parse_item(raw, locale="en-US"))


def _record(entry_id, sys_type="Entry"):
    return ContentfulRecord.objects.get(sys_type=sys_type, contentful_id=entry_id)


@responses.activate
def test_a_recorded_shape_article_becomes_a_published_library_item(live_adapter):
    index = library_index()
    article = _article(heroImage={"sys": {"type": "Link", "linkType": "Asset", "id": "hero"}})
    hero = recorded_asset("hero", url=HERO_URL, description="Still water at dawn")
    responses.add(responses.GET, INITIAL_SYNC, json=sync_body([hero, article]))
    responses.add(responses.GET, HERO_URL, body=png_bytes(), content_type="image/png")

    contentful_sync_run()

    page = LibraryItemPage.objects.get()
    assert page.get_parent().specific == index
    assert (page.title, page.slug, page.format, page.access_level) == (
        "Breathe out longer",
        "breathe-out-longer",
        "article",
        "public",
    )
    assert page.teaser == "A short exercise."
    assert page.live and page.revisions.count() == 1
    blocks = list(page.body)
    assert blocks[0].block_type == "image"
    assert blocks[0].value.pk == _record("hero", "Asset").wagtail_object_id
    assert blocks[0].value.contextual_alt_text == "Still water at dawn"
    html = blocks[1].value.source
    assert "<h2>Some heading</h2>" in html
    assert '<a href="https://www.contentful.com">A hyperlink</a>' in html
    assert "<ol><li>Ol list</li>" in html and "<blockquote>" in html
    assert "<hr" not in html and "<code>" not in html  # not features of the library body
    assert _record("breathing").wagtail_object_id == page.pk


def test_a_new_version_updates_the_same_page_and_a_deletion_unpublishes_it():
    library_index()
    _publish(_article())
    contentful_sync_run()
    page = LibraryItemPage.objects.get()

    _publish(_article(revision=2, title="Breathe out slowly", summary=None, accessLevel="member"))
    contentful_sync_run()
    page.refresh_from_db()

    assert LibraryItemPage.objects.count() == 1
    assert page.title == "Breathe out slowly" and page.live
    assert page.access_level == "member"
    assert page.teaser.startswith("Some heading")  # no summary: from the body text
    assert page.revisions.count() == 2

    LocalContentful.delete(kind="Entry", id="breathing")
    contentful_sync_run()
    page.refresh_from_db()
    record = _record("breathing")

    assert not page.live and page.revisions.count() == 2
    assert record.is_deleted and record.is_withdrawn

    _publish(_article(revision=3))
    contentful_sync_run()
    page.refresh_from_db()

    assert page.live and page.title == "Breathe out longer"


def test_articles_wait_for_the_library_index_and_apply_once_it_exists():
    _publish(_article())

    first = contentful_sync_run()

    assert first.apply_failures == 1
    assert "library index" in _record("breathing").apply_error
    assert not LibraryItemPage.objects.exists()

    library_index()
    second = contentful_sync_run()

    assert second.applied == 1 and LibraryItemPage.objects.get().live
    assert _record("breathing").apply_error == ""


def test_a_taken_slug_gets_the_contentful_id_and_links_between_articles_resolve():
    index = library_index()
    index.add_child(
        instance=LibraryItemPage(
            title="Mine", slug="breathe-out-longer", teaser="x", format="article"
        )
    )
    _publish(_article())
    contentful_sync_run()
    linking_doc = copy.deepcopy(rich_text_document())
    linking_doc["content"].append(
        {
            "nodeType": "paragraph",
            "data": {},
            "content": [
                {
                    "nodeType": "entry-hyperlink",
                    "data": {
                        "target": {"sys": {"type": "Link", "linkType": "Entry", "id": "breathing"}}
                    },
                    "content": [
                        {"nodeType": "text", "value": "the exercise", "marks": [], "data": {}}
                    ],
                }
            ],
        }
    )
    _publish(_article("sleep", slug="sleep", title="Sleep", body=linking_doc))

    contentful_sync_run()

    breathing = LibraryItemPage.objects.get(title="Breathe out longer")
    assert breathing.slug == "breathe-out-longer-breathing"
    sleep = LibraryItemPage.objects.get(slug="sleep")
    assert f'<a linktype="page" id="{breathing.pk}">the exercise</a>' in sleep.body[0].value.source


def test_an_embedded_image_sits_between_rich_text_blocks():
    library_index()
    LocalContentful.publish_asset(
        asset_id="figure",
        title="Figure",
        description="A diagram",
        file_name="f.png",
        content_type="image/png",
        data=png_bytes(),
    )
    document = {
        "nodeType": "document",
        "data": {},
        "content": [
            {
                "nodeType": "paragraph",
                "data": {},
                "content": [{"nodeType": "text", "value": "Before", "marks": [], "data": {}}],
            },
            {
                "nodeType": "embedded-asset-block",
                "data": {"target": {"sys": {"type": "Link", "linkType": "Asset", "id": "figure"}}},
                "content": [],
            },
            {
                "nodeType": "paragraph",
                "data": {},
                "content": [{"nodeType": "text", "value": "After", "marks": [], "data": {}}],
            },
        ],
    }
    _publish(_article(body=document))

    contentful_sync_run()

    body = LibraryItemPage.objects.get().body
    assert [block.block_type for block in body] == ["rich_text", "image", "rich_text"]
    assert body[1].value.contextual_alt_text == "A diagram"


def test_testimonials_and_faqs_become_snippets_and_go_when_deleted():
    LocalContentful.publish_asset(
        asset_id="amira",
        title="Amira",
        file_name="a.png",
        content_type="image/png",
        data=png_bytes(),
    )
    _publish(
        recorded_entry(
            "t1",
            content_type="testimonial",
            fields={
                "quote": "It helped.",
                "name": "Amira K.",
                "role": "Client",
                "image": {"sys": {"type": "Link", "linkType": "Asset", "id": "amira"}},
            },
        )
    )
    _publish(
        recorded_entry(
            "f1",
            content_type="faq",
            fields={"question": "Can I cancel?", "answer": rich_text_document()},
        )
    )

    contentful_sync_run()

    testimonial = core_models.Testimonial.objects.get()
    assert (testimonial.quote, testimonial.person_name, testimonial.role) == (
        "It helped.",
        "Amira K.",
        "Client",
    )
    assert testimonial.image_id == _record("amira", "Asset").wagtail_object_id
    faq = core_models.FaqItem.objects.get()
    assert faq.question == "Can I cancel?"
    # FAQ answers allow no headings or quotes: they become bold or plain paragraphs.
    assert "<h2>" not in faq.answer and "<p><b>Some heading</b></p>" in faq.answer
    assert "<ul><li>Ul list</li>" in faq.answer

    LocalContentful.delete(kind="Entry", id="t1")
    LocalContentful.delete(kind="Entry", id="f1")
    contentful_sync_run()

    assert not core_models.Testimonial.objects.exists() and not core_models.FaqItem.objects.exists()


def test_content_types_without_a_mapper_are_only_mirrored():
    _publish(recorded_entry("nyancat", content_type="cat", fields={"name": "Nyan Cat"}))

    run = contentful_sync_run()

    assert "cat" not in MAPPERS
    record = _record("nyancat")
    assert record.fields == {"name": "Nyan Cat"}
    assert record.wagtail_object_id is None and record.applied_version is None
    assert run.applied == 0 and run.apply_failures == 0


def test_an_asset_that_is_not_the_image_it_claims_is_refused_once_per_version():
    LocalContentful.publish_asset(
        asset_id="fake",
        title="Fake",
        file_name="x.png",
        content_type="image/png",
        data=b"<svg onload=alert(1)>",
    )
    LocalContentful.publish_asset(
        asset_id="doc",
        title="Doc",
        file_name="x.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4",
    )

    first = contentful_sync_run()
    second = contentful_sync_run()

    assert not Image.objects.exists()
    assert "not a readable image" in _record("fake", "Asset").apply_error
    assert _record("doc", "Asset").apply_error == ""  # not an image: mirrored only
    assert (first.apply_failures, second.apply_failures) == (1, 0)
    assert LocalContentful.requests.count("fetch_asset_bytes") == 1


def test_a_changed_asset_replaces_the_file_of_the_same_image():
    LocalContentful.publish_asset(
        asset_id="pic", title="One", file_name="p.png", content_type="image/png", data=png_bytes()
    )
    contentful_sync_run()
    image = Image.objects.get()
    old_file = image.file.name

    LocalContentful.publish_asset(
        asset_id="pic",
        title="Two",
        file_name="p.png",
        content_type="image/png",
        data=png_bytes(size=(8, 6)),
    )
    contentful_sync_run()
    image.refresh_from_db()

    assert Image.objects.count() == 1
    assert (image.title, image.width, image.height) == ("Two", 8, 6)
    assert image.file.name != old_file


def test_a_synced_article_is_served_to_visitors(client):
    library_index()
    _publish(_article())
    contentful_sync_run()
    page = LibraryItemPage.objects.get()

    response = client.get(page.url)

    assert response.status_code == 200
    assert b"Some subheading" in response.content
    assert isinstance(page.get_parent().specific, LibraryIndexPage)
