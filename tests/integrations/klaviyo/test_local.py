"""The offline Klaviyo keeps Klaviyo's side in memory with deterministic ids, records
schema-valid bodies and fails on demand like Klaviyo does."""

from datetime import UTC, datetime

import pytest

from integrations.klaviyo import get_klaviyo
from integrations.klaviyo.local import LocalKlaviyo
from integrations.klaviyo.types import (
    KlaviyoError,
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
)
from tests.integrations.klaviyo.support import schema_errors

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_the_factory_returns_the_configured_adapter():
    assert isinstance(get_klaviyo(), LocalKlaviyo)
    assert get_klaviyo() is get_klaviyo()


def test_profiles_are_upserted_by_email_with_deterministic_ids():
    klaviyo = LocalKlaviyo()

    first = klaviyo.profile_upsert(profile=KlaviyoProfile(email="ada@example.org"))
    again = klaviyo.profile_upsert(
        profile=KlaviyoProfile(
            email="ada@example.org", first_name="Ada", properties={"utm_source": "x"}
        )
    )

    assert first.created is True and again.created is False
    assert first.profile_id == again.profile_id
    LocalKlaviyo.reset()
    assert (
        LocalKlaviyo().profile_upsert(profile=KlaviyoProfile(email="ada@example.org")).profile_id
        == first.profile_id
    )
    for body in LocalKlaviyo.requests_for("profile_upsert"):
        assert schema_errors("profile_upsert", body) == []


def test_events_are_recorded_once_per_unique_id():
    klaviyo = LocalKlaviyo()
    event = KlaviyoEvent(email="ada@example.org", metric="Signed Up", unique_id="u-1", time=NOW)

    klaviyo.event_create(event=event)
    klaviyo.event_create(event=event)

    assert len(LocalKlaviyo.requests_for("event_create")) == 2
    assert len(LocalKlaviyo.profiles["ada@example.org"].events) == 1
    assert schema_errors("event_create", LocalKlaviyo.requests_for("event_create")[0]) == []


def test_subscription_and_deletion():
    klaviyo = LocalKlaviyo()
    klaviyo.list_subscribe(
        subscription=KlaviyoSubscription(email="ada@example.org", list_id="L1", consented_at=NOW)
    )
    assert LocalKlaviyo.profiles["ada@example.org"].lists == {"L1"}

    klaviyo.profile_delete(email="Ada@example.org")

    assert "ada@example.org" not in LocalKlaviyo.profiles
    assert LocalKlaviyo.deletions == ["Ada@example.org"]


def test_fail_next_fails_the_given_number_of_calls():
    klaviyo = LocalKlaviyo()
    LocalKlaviyo.fail_next("profile_delete", status=429, retry_after=7, times=2)

    for _ in range(2):
        with pytest.raises(KlaviyoError) as raised:
            klaviyo.profile_delete(email="ada@example.org")
        assert raised.value.retryable and raised.value.retry_after == 7
    klaviyo.profile_delete(email="ada@example.org")

    assert LocalKlaviyo.deletions == ["ada@example.org"]
