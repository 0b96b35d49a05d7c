"""The entry point domain code calls: filtered now, sent after commit, never raising."""

import pytest
from django.db import transaction

from integrations.klaviyo.events import (
    list_subscribe_on_commit,
    profile_delete_on_commit,
    track_event_on_commit,
)
from integrations.klaviyo.local import LocalKlaviyo
from tests.integrations.klaviyo.support import schema_errors


@pytest.mark.django_db
def test_event_is_sent_after_commit_with_only_allowed_properties(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        track_event_on_commit(
            email="ada@example.org",
            metric="Session Booked",
            properties={"booking_reference": "BK-1", "intake_notes": "private"},
            unique_id="booking-1-confirmed",
        )
        assert LocalKlaviyo.requests == []

    assert len(callbacks) == 1
    (body,) = LocalKlaviyo.requests_for("event_create")
    assert schema_errors("event_create", body) == []
    assert body["data"]["attributes"]["properties"] == {"booking_reference": "BK-1"}
    assert body["data"]["attributes"]["unique_id"] == "booking-1-confirmed"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        track_event_on_commit(
            email="ada@example.org", metric="Signed Up", properties={}, unique_id="u-1"
        )
        raise RuntimeError("the booking failed")

    assert LocalKlaviyo.requests == []


@pytest.mark.django_db
def test_bad_input_is_logged_not_raised(django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        track_event_on_commit(email="", metric="Signed Up", properties={}, unique_id="u-1")
        track_event_on_commit(
            email="ada@example.org", metric="Unknown Metric", properties={}, unique_id="u-2"
        )
        list_subscribe_on_commit(
            email="ada@example.org",
            list_id="",
            consented_at=None,  # no list configured
        )

    assert callbacks == []
    assert LocalKlaviyo.requests == []
    assert "klaviyo event not sent" in caplog.text


@pytest.mark.django_db
def test_a_klaviyo_outage_does_not_break_the_caller(django_capture_on_commit_callbacks, settings):
    settings.KLAVIYO_MAX_RETRIES = 1
    LocalKlaviyo.fail_next("profile_delete", status=500, times=5)

    with django_capture_on_commit_callbacks(execute=True):
        profile_delete_on_commit(email="ada@example.org")

    assert LocalKlaviyo.deletions == []
