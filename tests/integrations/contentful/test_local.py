"""The offline space serves real Sync API semantics."""

import pytest

from integrations.contentful.local import LocalContentful
from integrations.contentful.parsing import parse_item
from integrations.contentful.types import (
    ContentfulRateLimited,
    ContentfulRequestError,
    Deletion,
    SyncedAsset,
    SyncedEntry,
)
from tests.integrations.contentful.recordings import png_bytes, recorded_entry


def _ids(page):
    return [(type(item).__name__, item.id) for item in page.items]


def test_an_initial_sync_lists_everything_published_and_a_delta_only_what_changed():
    space = LocalContentful()
    LocalContentful.publish(content_type="article", entry_id="a", fields={"title": "A"})
    LocalContentful.publish(content_type="article", entry_id="b", fields={"title": "B"})
    first = space.sync_initial()

    LocalContentful.publish(content_type="article", entry_id="a", fields={"title": "A2"})
    LocalContentful.publish(content_type="faq", entry_id="c", fields={"question": "?"})
    LocalContentful.delete(kind="Entry", id="b")
    delta = space.sync_next(first.next_sync_token)
    quiet = space.sync_next(delta.next_sync_token)

    assert _ids(first) == [("SyncedEntry", "a"), ("SyncedEntry", "b")]
    assert _ids(delta) == [("SyncedEntry", "a"), ("SyncedEntry", "c"), ("Deletion", "b")]
    assert delta.items[0].fields == {"title": "A2"} and delta.items[0].version == 2
    assert quiet.items == () and quiet.next_sync_token == delta.next_sync_token


def test_initial_sync_pages_are_a_stable_snapshot():
    space = LocalContentful()
    LocalContentful.page_size = 2
    for number in range(5):
        LocalContentful.publish(content_type="faq", entry_id=f"q{number}", fields={})
    first = space.sync_initial()
    # Published after the snapshot: not in this sync's pages, but in the next delta.
    LocalContentful.publish(content_type="faq", entry_id="late", fields={})
    second = space.sync_next(first.next_page_token)
    third = space.sync_next(second.next_page_token)
    delta = space.sync_next(third.next_sync_token)

    assert [len(page.items) for page in (first, second, third)] == [2, 2, 1]
    assert first.has_more and second.has_more and not third.has_more
    assert _ids(delta) == [("SyncedEntry", "late")]
    # A page token can be replayed (a resumed sync asks for the same page again).
    assert _ids(space.sync_next(first.next_page_token)) == _ids(second)


def test_assets_carry_their_file():
    space = LocalContentful()
    asset = LocalContentful.publish_asset(
        asset_id="pic", title="Pic", file_name="pic.png", content_type="image/png", data=png_bytes()
    )

    page = space.sync_initial()

    assert page.items == (asset,)
    assert isinstance(asset, SyncedAsset) and asset.size == len(png_bytes())
    assert space.fetch_asset_bytes(asset.url) == png_bytes()
    with pytest.raises(ContentfulRequestError):
        space.fetch_asset_bytes(asset.url, max_bytes=10)
    with pytest.raises(ContentfulRequestError):
        space.fetch_asset_bytes("https://assets.local-contentful.invalid/none.png")


def test_republishing_after_deletion_counts_versions_on():
    LocalContentful.publish(content_type="faq", entry_id="q", fields={})
    LocalContentful.delete(kind="Entry", id="q")

    again = LocalContentful.publish(content_type="faq", entry_id="q", fields={})

    assert again.version == 2
    with pytest.raises(KeyError):
        LocalContentful.delete(kind="Asset", id="q")  # entries and assets are separate


def test_recorded_items_can_be_published_as_they_are():
    item = parse_item(
        recorded_entry("art", content_type="article", fields={"title": "T"}, revision=9),
        locale="en-US",
    )
    LocalContentful.publish_item(item)

    assert LocalContentful().sync_initial().items == (item,)


def test_tokens_from_elsewhere_are_refused():
    space = LocalContentful()
    for token in ("", "w5ZGw6JFwqZmVcKsE8Kow4grw45QdybC", "local1.!!!", "local1.e30"):
        with pytest.raises(ContentfulRequestError):
            space.sync_next(token)


def test_failures_can_be_queued_like_contentful_would_answer():
    space = LocalContentful()
    LocalContentful.fail_next(ContentfulRateLimited("429", reset_seconds=2))

    with pytest.raises(ContentfulRateLimited):
        space.sync_initial()
    assert space.sync_initial().items == ()
    assert LocalContentful.requests == ["sync_initial", "sync_initial"]


def test_the_demo_space_has_articles_a_testimonial_a_faq_and_an_image():
    LocalContentful.reset(demo=True)

    items = LocalContentful().sync_initial().items

    entries = [item for item in items if isinstance(item, SyncedEntry)]
    assert sorted(entry.content_type for entry in entries) == [
        "article",
        "article",
        "faq",
        "testimonial",
    ]
    assert any(isinstance(item, SyncedAsset) for item in items)
    assert not any(isinstance(item, Deletion) for item in items)
