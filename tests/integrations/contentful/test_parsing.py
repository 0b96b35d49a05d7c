"""Contentful JSON → our types, on the recorded bodies."""

import pytest

from integrations.contentful.parsing import localise, parse_item, parse_sync_page
from integrations.contentful.types import ContentfulRequestError, Deletion, SyncedAsset, SyncedEntry
from tests.integrations.contentful.recordings import body, token_in

FINN_REVISION = 6  # sys.revision of the entry finn in the recorded page


def test_the_recorded_initial_page_parses_every_entry_and_asset():
    page = parse_sync_page(body("rb__sync_page.json"), locale="en-US")

    kinds = [type(item) for item in page.items]
    assert kinds.count(SyncedEntry) == 10 and kinds.count(SyncedAsset) == 4
    finn = next(item for item in page.items if item.id == "finn")
    assert isinstance(finn, SyncedEntry) and finn.content_type == "human"
    assert finn.fields["name"] == "Finn"
    assert finn.version == FINN_REVISION
    assert finn.updated_at is not None and finn.updated_at.utcoffset().total_seconds() == 0
    assert page.next_page_token == token_in("rb__sync_page.json")
    assert page.next_sync_token == ""


def test_links_stay_links_and_other_locales_are_dropped():
    entry = parse_item(
        {
            "sys": {
                "type": "Entry",
                "id": "x",
                "revision": 2,
                "contentType": {"sys": {"id": "dog"}},
            },
            "fields": {
                "name": {"en-US": "Jake", "tlh": "Jake'"},
                "only_klingon": {"tlh": "Qapla'"},
                "image": {"en-US": {"sys": {"type": "Link", "linkType": "Asset", "id": "jake"}}},
            },
        },
        locale="en-US",
    )

    assert entry.fields == {
        "name": "Jake",
        "image": {"sys": {"type": "Link", "linkType": "Asset", "id": "jake"}},
    }
    assert entry.version == 2


def test_deletions_keep_the_kind_of_what_went():
    page = parse_sync_page(body("rb__sync_deletion.json"), locale="en-US")

    assert Deletion(kind="Asset", id="finn") in page.items
    assert Deletion(kind="Entry", id="CVebBDcQsSsu6yKKIayy") in page.items


def test_unknown_and_malformed_items_are_skipped():
    assert parse_item({"sys": {"type": "ContentType", "id": "cat"}}, locale="en-US") is None
    assert parse_item({"fields": {}}, locale="en-US") is None
    assert parse_item("nonsense", locale="en-US") is None
    assert localise(["not", "a", "dict"], "en-US") == {}


def test_a_body_without_any_next_url_is_refused():
    with pytest.raises(ContentfulRequestError):
        parse_sync_page({"items": []}, locale="en-US")
