"""Bookings made directly with the ORM for the notification, reminder and feed tests."""

import datetime as dt
from email.message import Message

from icalendar import Calendar

from commerce.bookings.models import Booking
from tests.accounts.factories import UserFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory


def make_service(*, practitioner_zone="Europe/London", **overrides):
    practitioner = PractitionerProfileFactory(
        time_zone=practitioner_zone, display_name="Sam Rivers"
    )
    return ServiceFactory(practitioner=practitioner, name="Reiki", **overrides)


def make_booking(
    *,
    starts_at: dt.datetime,
    service=None,
    client=None,
    status=Booking.Status.CONFIRMED,
    confirmed_at: dt.datetime | None = None,
) -> Booking:
    """A confirmed, card-paid booking (no payment row: notifications do not read it)."""
    service = service or make_service()
    client = client or UserFactory(first_name="Alex", last_name="Morgan")
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    return Booking.objects.create(
        client=client,
        service=service,
        practitioner=service.practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_start=starts_at,
        blocked_end=ends_at,
        status=status,
        hold_expires_at=starts_at if status == Booking.Status.HELD else None,
        pay_with=Booking.PayWith.CARD,
        price_amount=service.price,
        price_currency=service.currency,
        confirmed_at=(
            None
            if status == Booking.Status.HELD
            else confirmed_at or starts_at - dt.timedelta(days=7)
        ),
    )


def calendar_attachment(message) -> tuple[Message, Calendar]:
    """The one text/calendar part of a sent email as it goes on the wire, parsed."""
    [part] = [
        item for item in message.message().walk() if item.get_content_type() == "text/calendar"
    ]
    return part, Calendar.from_ical(part.get_payload(decode=True))


def only_event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event
