"""The practitioner's private calendar feed: the right events, 404 for a revoked or
unknown token, and a fixed number of queries however many bookings it lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from commerce.bookings.feeds import (
    CalendarFeedToken,
    calendar_feed_revoke,
    calendar_feed_rotate,
    calendar_feed_token_get_or_create,
)
from commerce.bookings.models import Booking
from tests.commerce.bookings.notification_setup import make_booking, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://aeyia.example"


def days_from_now(days: float) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)


def feed_url(feed: CalendarFeedToken) -> str:
    return f"/calendar/{feed.token}.ics"


def uids(response) -> list[str]:
    return [str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


def test_feed_lists_the_practitioners_confirmed_bookings_in_range(client):
    service = make_service()
    inside = [
        make_booking(
            starts_at=days_from_now(-29), service=service, status=Booking.Status.COMPLETED
        ),
        make_booking(starts_at=days_from_now(2), service=service),
        make_booking(starts_at=days_from_now(179), service=service),
    ]
    make_booking(starts_at=days_from_now(-31), service=service, status=Booking.Status.COMPLETED)
    make_booking(starts_at=days_from_now(181), service=service)
    make_booking(starts_at=days_from_now(3), service=service, status=Booking.Status.CANCELLED)
    make_booking(starts_at=days_from_now(4), service=service, status=Booking.Status.HELD)
    make_booking(starts_at=days_from_now(5))  # another practitioner's
    feed = calendar_feed_token_get_or_create(practitioner=service.practitioner)

    response = client.get(feed_url(feed))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert uids(response) == [f"booking-{booking.pk}@aeyia.example" for booking in inside]
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    first = calendar.walk("VEVENT")[1]
    assert first.decoded("DTSTART") == inside[1].starts_at
    assert first.decoded("DTEND") == inside[1].ends_at


def test_the_token_is_long_and_random():
    service = make_service()
    feed = calendar_feed_token_get_or_create(practitioner=service.practitioner)
    other = calendar_feed_token_get_or_create(practitioner=make_service().practitioner)

    assert len(feed.token) >= 43
    assert feed.token != other.token
    assert calendar_feed_token_get_or_create(practitioner=service.practitioner) == feed


def test_rotation_revokes_the_old_url(client):
    service = make_service()
    make_booking(starts_at=days_from_now(2), service=service)
    old = calendar_feed_token_get_or_create(practitioner=service.practitioner)
    old_url = feed_url(old)

    new = calendar_feed_rotate(practitioner=service.practitioner)

    assert client.get(old_url).status_code == 404
    response = client.get(feed_url(new))
    assert response.status_code == 200
    assert len(uids(response)) == 1


def test_a_revoked_or_unknown_token_is_404(client):
    service = make_service()
    feed = calendar_feed_token_get_or_create(practitioner=service.practitioner)
    calendar_feed_revoke(practitioner=service.practitioner)

    assert client.get(feed_url(feed)).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    # Rotating switches the feed back on with a new URL.
    assert (
        client.get(feed_url(calendar_feed_rotate(practitioner=service.practitioner))).status_code
        == 200
    )


def test_only_get_is_answered(client):
    feed = calendar_feed_token_get_or_create(practitioner=make_service().practitioner)

    assert client.post(feed_url(feed)).status_code == 405


def test_queries_do_not_grow_with_bookings(client):
    service = make_service()
    feed = calendar_feed_token_get_or_create(practitioner=service.practitioner)
    make_booking(starts_at=days_from_now(1), service=service)

    with CaptureQueriesContext(connection) as one:
        assert client.get(feed_url(feed)).status_code == 200
    for day in range(2, 12):
        make_booking(starts_at=days_from_now(day), service=service)
    with CaptureQueriesContext(connection) as eleven:
        response = client.get(feed_url(feed))

    assert len(uids(response)) == 11
    assert len(eleven) == len(one) <= 2
