"""The live adapter drives the real klaviyo-api SDK against a loopback server: what it
sends is captured and validated against Klaviyo's schemas; Klaviyo's errors become
KlaviyoError with the retry information the tasks need."""

from datetime import UTC, datetime

import pytest

from integrations.klaviyo.live import KlaviyoLiveClient
from integrations.klaviyo.types import (
    KlaviyoError,
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
)
from tests.integrations.klaviyo.support import (
    CLIENT_ERROR,
    THROTTLED,
    FakeKlaviyoServer,
    Reply,
    schema_errors,
)

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.fixture
def server():
    with FakeKlaviyoServer() as fake:
        yield fake


@pytest.fixture
def client(server, settings):
    settings.KLAVIYO_TIMEOUT_SECONDS = 5
    return KlaviyoLiveClient(api_key="pk_test_123", test_host=server.url)


def test_event_is_sent_with_auth_revision_and_a_valid_body(server, client):
    client.event_create(
        event=KlaviyoEvent(
            email="ada@example.org",
            metric="Session Booked",
            unique_id="booking-9-confirmed",
            time=NOW,
            properties={"booking_reference": "BK-9", "intake": "private"},
        )
    )

    (request,) = server.requests
    assert request.path == "/api/events"
    assert request.headers["authorization"] == "Klaviyo-API-Key pk_test_123"
    assert request.headers["revision"] == "2026-10-15"
    assert schema_errors("event_create", request.body) == []
    assert request.body["data"]["attributes"]["properties"] == {"booking_reference": "BK-9"}
    assert request.body["data"]["attributes"]["unique_id"] == "booking-9-confirmed"


def test_profile_upsert_returns_klaviyos_id(server, client):
    synced = client.profile_upsert(
        profile=KlaviyoProfile(
            email="ada@example.org", first_name="Ada", properties={"utm_source": "google"}
        )
    )

    (request,) = server.requests
    assert request.path == "/api/profile-import"
    assert schema_errors("profile_upsert", request.body) == []
    assert synced.profile_id == "01GDDKASAP8TKDDA2GRZDSVP4H"


def test_list_subscription_body_is_valid(server, client):
    client.list_subscribe(
        subscription=KlaviyoSubscription(
            email="ada@example.org", list_id="Y6nRLr", consented_at=NOW, source="Aeyia"
        )
    )

    (request,) = server.requests
    assert request.path == "/api/profile-subscription-bulk-create-jobs"
    assert schema_errors("list_subscribe", request.body) == []


def test_deletion_goes_to_the_data_privacy_job(server, client):
    client.profile_delete(email="ada@example.org")

    (request,) = server.requests
    assert request.path == "/api/data-privacy-deletion-jobs"
    assert request.body == {
        "data": {
            "type": "data-privacy-deletion-job",
            "attributes": {
                "profile": {"data": {"type": "profile", "attributes": {"email": "ada@example.org"}}}
            },
        }
    }


def test_429_is_retryable_with_retry_after_and_the_sdk_does_not_retry_itself(server, client):
    server.replies.append(Reply(429, THROTTLED, {"Retry-After": "3"}))

    with pytest.raises(KlaviyoError) as raised:
        client.profile_delete(email="ada@example.org")

    assert raised.value.status == 429
    assert raised.value.retryable is True
    assert raised.value.retry_after == 3.0
    assert len(server.requests) == 1  # retries are the Celery task's job


def test_400_is_not_retryable(server, client):
    server.replies.append(Reply(400, CLIENT_ERROR))

    with pytest.raises(KlaviyoError) as raised:
        client.event_create(
            event=KlaviyoEvent(
                email="ada@example.org", metric="Signed Up", unique_id="u-1", time=NOW
            )
        )

    assert raised.value.status == 400
    assert raised.value.retryable is False
    assert raised.value.retry_after is None


def test_503_is_retryable_without_retry_after(server, client):
    server.replies.append(Reply(503, THROTTLED))

    with pytest.raises(KlaviyoError) as raised:
        client.profile_upsert(profile=KlaviyoProfile(email="ada@example.org"))

    assert raised.value.retryable is True
    assert raised.value.retry_after is None


def test_an_unreachable_host_is_a_retryable_error(settings):
    with FakeKlaviyoServer() as stopped:
        url = stopped.url
    client = KlaviyoLiveClient(api_key="pk_test_123", test_host=url)

    with pytest.raises(KlaviyoError) as raised:
        client.profile_delete(email="ada@example.org")

    assert raised.value.retryable is True


def test_a_missing_api_key_is_refused(settings):
    settings.KLAVIYO_API_KEY = ""

    with pytest.raises(KlaviyoError):
        KlaviyoLiveClient()
