"""The allow-list: only marketing attribution and ids of things bought leave for Klaviyo."""

from datetime import UTC, datetime

import pytest

from integrations.klaviyo.types import (
    ALLOWED_EVENT_PROPERTIES,
    InvalidKlaviyoData,
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
)

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_event_drops_every_property_outside_the_allow_list():
    event = KlaviyoEvent(
        email="ada@example.org",
        metric="Session Booked",
        unique_id="booking-7-confirmed",
        time=NOW,
        properties={
            "booking_reference": "BK-7",
            "starts_at": NOW,
            "intake_answers": "anxious, poor sleep",
            "modality": "trauma therapy",
            "notes": "private",
            "diagnosis": "F41.1",
        },
    )

    assert dict(event.properties) == {
        "booking_reference": "BK-7",
        "starts_at": "2026-11-25T09:30:00+00:00",
    }


def test_nested_values_and_empty_values_are_dropped_even_under_allowed_keys():
    event = KlaviyoEvent(
        email="ada@example.org",
        metric="Lead Captured",
        unique_id="lead-1",
        time=NOW,
        properties={"interest": {"health": "depression"}, "utm_source": "", "plan": None},
    )

    assert dict(event.properties) == {}


def test_profile_keeps_only_allowed_custom_properties():
    profile = KlaviyoProfile(
        email="ada@example.org",
        properties={"utm_source": "instagram", "health_goals": "recover", "phone_number": "+44"},
    )

    assert dict(profile.properties) == {"utm_source": "instagram"}
    assert "health_goals" not in profile.as_dict()["properties"]


def test_the_allow_list_holds_nothing_about_health():
    for word in ("health", "intake", "note", "diagnos", "modality", "symptom", "condition"):
        assert not any(word in key for key in ALLOWED_EVENT_PROPERTIES)


def test_properties_cannot_be_changed_after_construction():
    event = KlaviyoEvent(
        email="ada@example.org", metric="Signed Up", unique_id="u-1", time=NOW, properties={}
    )

    with pytest.raises(TypeError):
        event.properties["notes"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "not-an-email"},
        {"metric": "Therapy Notes Viewed"},
        {"unique_id": ""},
        {"time": datetime(2026, 11, 25, 9, 30)},  # noqa: DTZ001 (the naive time under test)
    ],
)
def test_invalid_events_are_refused(changes):
    values = {"email": "ada@example.org", "metric": "Signed Up", "unique_id": "u-1", "time": NOW}

    with pytest.raises(InvalidKlaviyoData):
        KlaviyoEvent(**{**values, **changes})


def test_round_trip_through_task_payloads():
    event = KlaviyoEvent(
        email="Ada@Example.org ",
        metric="Course Completed",
        unique_id="c-1",
        time=NOW,
        properties={"course": "calm-101", "notes": "x"},
    )
    subscription = KlaviyoSubscription(email="ada@example.org", list_id="Y6nRLr", consented_at=NOW)

    assert KlaviyoEvent.from_dict(event.as_dict()) == event
    assert KlaviyoSubscription.from_dict(subscription.as_dict()) == subscription
