"""The live adapter against Contentful's own recordings (vcrpy and `responses`)."""

import pytest
import requests
import responses
import vcr

from integrations.contentful.live import ContentfulLiveClient
from integrations.contentful.types import (
    ContentfulRateLimited,
    ContentfulRequestError,
    ContentfulUnauthorized,
    ContentfulUnavailable,
    Deletion,
    SyncedAsset,
    SyncedEntry,
)
from tests.integrations.contentful.recordings import (
    INITIAL_SYNC,
    NEXT_SYNC,
    SYNC_CASSETTE,
    SYNC_ENVIRONMENT_CASSETTE,
    png_bytes,
    serve,
    serve_sync_sequence,
    token_in,
)

pytestmark = pytest.mark.usefixtures("live_settings")


def test_vcr_replay_of_the_initial_sync_gives_our_types():
    cassette = vcr.VCR(record_mode="none", decode_compressed_response=True)
    with cassette.use_cassette(str(SYNC_CASSETTE)):
        page = ContentfulLiveClient().sync_initial()

    assert len(page.items) == 14
    last = page.items[-1]
    assert isinstance(last, SyncedEntry)
    assert (last.id, last.content_type) == ("garfield", "cat")
    assert last.fields["name"] == "Garfield"
    assert page.next_sync_token == token_in("py__client__sync.json")
    assert not page.has_more
    doge = next(item for item in page.items if isinstance(item, SyncedAsset))
    assert doge.url.startswith("https://images.contentful.com/cfexampleapi/")
    assert (doge.title, doge.content_type, doge.file_name) == ("Doge", "image/jpeg", "doge.jpg")
    assert doge.version == 6


def test_vcr_replay_of_an_initial_sync_on_another_environment(settings):
    """CONTENTFUL_ENVIRONMENT picks the environment in the request path: the cassette was
    recorded on `staging`, and vcrpy refuses any request it does not hold."""
    settings.CONTENTFUL_SPACE_ID = "a22o2qgm356c"
    settings.CONTENTFUL_ENVIRONMENT = "staging"
    cassette = vcr.VCR(record_mode="none", decode_compressed_response=True)
    with cassette.use_cassette(str(SYNC_ENVIRONMENT_CASSETTE)) as played:
        page = ContentfulLiveClient().sync_initial()

    assert played.play_count == 1
    assert len(page.items) == 16
    assert all(isinstance(item, SyncedEntry) for item in page.items)
    assert {item.content_type for item in page.items} >= {"modelWithEmpty", "rootNested"}
    assert page.next_sync_token == token_in("py__client__sync_environments.json")
    assert not page.has_more


@responses.activate
def test_pages_follow_next_page_then_next_sync_tokens_then_deletions():
    serve_sync_sequence(responses)
    client = ContentfulLiveClient()

    first = client.sync_initial()
    second = client.sync_next(first.next_page_token)
    third = client.sync_next(second.next_sync_token)

    assert len(first.items) == 14 and first.has_more
    assert first.next_page_token == token_in("rb__sync_page.json")
    assert second.items == () and not second.has_more
    assert second.next_sync_token == token_in("rb__sync_page_2.json")
    assert {(item.kind, item.id) for item in third.items} >= {
        ("Asset", "finn"),
        ("Entry", "CVebBDcQsSsu6yKKIayy"),
    }
    assert all(isinstance(item, Deletion) for item in third.items)
    assert third.next_sync_token == token_in("rb__sync_deletion.json")
    assert "sync_token=" + first.next_page_token in responses.calls[1].request.url


@responses.activate
def test_a_wrong_token_is_unauthorized():
    serve(responses, INITIAL_SYNC, "rb__unauthorized.json")

    with pytest.raises(ContentfulUnauthorized):
        ContentfulLiveClient().sync_initial()


@responses.activate
def test_a_429_is_rate_limited_with_contentfuls_reset_and_no_sleeping():
    serve(
        responses,
        NEXT_SYNC,
        "rb__ratelimit_retry__1.json",
        headers={"X-Contentful-RateLimit-Reset": "7"},
    )

    with pytest.raises(ContentfulRateLimited) as raised:
        ContentfulLiveClient().sync_next("some-token")

    assert raised.value.reset_seconds == 7
    assert len(responses.calls) == 1  # the SDK did not retry on its own


@responses.activate
def test_a_429_without_the_reset_header_still_backs_off():
    serve(responses, INITIAL_SYNC, "rb__ratelimit_retry__1.json")

    with pytest.raises(ContentfulRateLimited) as raised:
        ContentfulLiveClient().sync_initial()

    assert raised.value.reset_seconds == 60


@responses.activate
def test_a_bad_request_and_a_server_error_are_told_apart():
    serve(responses, NEXT_SYNC, "rb__bad_request.json")
    serve(responses, INITIAL_SYNC, "rb__not_found.json", status=503)
    client = ContentfulLiveClient()

    with pytest.raises(ContentfulRequestError):
        client.sync_next("expired")
    with pytest.raises(ContentfulUnavailable):
        client.sync_initial()


@responses.activate
def test_a_timeout_is_unavailable():
    responses.add(responses.GET, INITIAL_SYNC, body=requests.exceptions.ConnectTimeout("slow"))

    with pytest.raises(ContentfulUnavailable):
        ContentfulLiveClient().sync_initial()


def test_the_client_is_built_without_sdk_retries_or_content_type_fetches(live_settings):
    live_settings.CONTENTFUL_TIMEOUT_SECONDS = 4

    sdk = ContentfulLiveClient()._client

    assert sdk.max_rate_limit_retries == 0
    assert sdk.content_type_cache is False
    assert sdk.reuse_entries is False
    assert sdk.timeout_s == 4
    assert sdk.environment == "master"


ASSET_URL = "https://images.ctfassets.net/cfexampleapi/pixel/abc/pixel.png"


@responses.activate
def test_asset_bytes_are_downloaded():
    responses.add(responses.GET, ASSET_URL, body=png_bytes(), content_type="image/png")

    assert ContentfulLiveClient().fetch_asset_bytes(ASSET_URL) == png_bytes()


@responses.activate
def test_an_oversized_asset_is_refused_by_header_and_by_stream():
    responses.add(responses.GET, ASSET_URL, body=b"x" * 50, headers={"Content-Length": "50"})
    responses.add(
        responses.GET, ASSET_URL + "?2", body=b"x" * 50, auto_calculate_content_length=False
    )
    client = ContentfulLiveClient()

    with pytest.raises(ContentfulRequestError, match="larger"):
        client.fetch_asset_bytes(ASSET_URL, max_bytes=10)
    with pytest.raises(ContentfulRequestError, match="larger"):
        client.fetch_asset_bytes(ASSET_URL + "?2", max_bytes=10)


@responses.activate
def test_asset_download_errors_map_to_our_types():
    responses.add(responses.GET, ASSET_URL, status=404)
    responses.add(responses.GET, ASSET_URL + "?5xx", status=502)
    responses.add(
        responses.GET, ASSET_URL + "?429", status=429, headers={"X-Contentful-RateLimit-Reset": "3"}
    )
    client = ContentfulLiveClient()

    with pytest.raises(ContentfulRequestError):
        client.fetch_asset_bytes(ASSET_URL)
    with pytest.raises(ContentfulUnavailable):
        client.fetch_asset_bytes(ASSET_URL + "?5xx")
    with pytest.raises(ContentfulRateLimited) as raised:
        client.fetch_asset_bytes(ASSET_URL + "?429")
    assert raised.value.reset_seconds == 3
    with pytest.raises(ContentfulRequestError):
        client.fetch_asset_bytes("http://images.ctfassets.net/plain-http.png")
