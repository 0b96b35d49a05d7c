"""The .ics for a booking parses with icalendar and carries what calendar apps need."""

import datetime as dt

import pytest
from icalendar import Calendar

from commerce.bookings import ics
from commerce.bookings.models import Booking
from tests.commerce.bookings.notification_setup import make_booking, make_service, only_event

pytestmark = pytest.mark.django_db

STARTS = dt.datetime(2030, 1, 7, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://aeyia.example"
    settings.DEFAULT_FROM_EMAIL = "Aeyia <hello@aeyia.example>"


def invitation(booking, method="REQUEST"):
    raw = ics.booking_invitation(
        booking,
        method=method,
        summary=ics.client_summary(booking),
        attendee_email=booking.client.email,
        attendee_name="Alex Morgan",
    )
    return raw, Calendar.from_ical(raw)


def test_invitation_has_a_stable_uid_and_utc_times():
    booking = make_booking(starts_at=STARTS, service=make_service(practitioner_zone="Asia/Tokyo"))

    raw, calendar = invitation(booking)
    event = only_event(calendar)

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert str(event["UID"]) == f"booking-{booking.pk}@aeyia.example"
    assert event.decoded("DTSTART") == STARTS
    assert event.decoded("DTEND") == STARTS + dt.timedelta(minutes=60)
    assert event.decoded("DTSTART").tzinfo.utcoffset(None) == dt.timedelta(0)
    assert b"DTSTART:20300107T150000Z" in raw
    assert b"DTEND:20300107T160000Z" in raw
    assert str(event["SUMMARY"]) == "Reiki with Sam Rivers"
    assert str(event["LOCATION"]) == "Online"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:hello@aeyia.example"
    assert event["ORGANIZER"].params["CN"] == "Sam Rivers via Aeyia"
    assert str(event["ATTENDEE"]) == f"mailto:{booking.client.email}"
    # Same booking, built again later: same UID, so calendars update one entry.
    _, again = invitation(booking)
    assert only_event(again)["UID"] == event["UID"]


def test_in_person_sessions_carry_their_location():
    service = make_service(is_online=False, location="12 Harbour St, Leith")
    booking = make_booking(starts_at=STARTS, service=service)

    _, calendar = invitation(booking)

    assert str(only_event(calendar)["LOCATION"]) == "12 Harbour St, Leith"


def test_reschedule_and_cancellation_raise_the_sequence():
    booking = make_booking(starts_at=STARTS)
    first = only_event(invitation(booking)[1]).decoded("SEQUENCE")

    moved = STARTS + dt.timedelta(days=1)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=moved,
        ends_at=moved + dt.timedelta(hours=1),
        blocked_start=moved,
        blocked_end=moved + dt.timedelta(hours=1),
        updated_at=booking.updated_at + dt.timedelta(minutes=5),
    )
    booking.refresh_from_db()
    rescheduled = only_event(invitation(booking)[1])

    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    booking.refresh_from_db()
    raw, cancelled_calendar = invitation(booking, method="CANCEL")
    cancelled = only_event(cancelled_calendar)

    assert rescheduled.decoded("SEQUENCE") > first
    assert rescheduled.decoded("DTSTART") == moved
    assert cancelled_calendar["METHOD"] == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.decoded("SEQUENCE") > rescheduled.decoded("SEQUENCE")
    assert cancelled["UID"] == rescheduled["UID"]


def test_cancelling_in_the_same_second_still_outranks_the_confirmation():
    booking = make_booking(starts_at=STARTS)
    confirmed = ics.booking_sequence(booking)
    booking.status = Booking.Status.CANCELLED

    assert ics.booking_sequence(booking) == confirmed + 1


def test_feed_lists_each_booking_with_the_client_short_name():
    service = make_service()
    bookings = [
        make_booking(starts_at=STARTS + dt.timedelta(days=day), service=service) for day in range(3)
    ]

    calendar = Calendar.from_ical(ics.practitioner_feed(service.practitioner, bookings))

    assert calendar["METHOD"] == "PUBLISH"
    events = calendar.walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [
        f"booking-{booking.pk}@aeyia.example" for booking in bookings
    ]
    assert {str(event["SUMMARY"]) for event in events} == {"Reiki with Alex M."}
    assert all("ATTENDEE" not in event for event in events)
