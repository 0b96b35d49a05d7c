"""The earnings statement reads what a payment or transfer was for from the booking as
it is now: after a reschedule it shows the new time. It used to show the text copied
onto the payment at checkout ("Reiki on 07 Jan 2030 10:00 UTC") forever."""

import datetime as dt

import pytest

from commerce.bookings.models import Booking
from commerce.bookings.services import booking_reschedule
from commerce.payments.models import Payment, Transfer
from commerce.payments.selectors import earnings_statement
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import bookable_service, slot
from tests.commerce.payments.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


def confirmed(service, starts_at, client) -> Booking:
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    return Booking.objects.create(
        client=client,
        service=service,
        practitioner=service.practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_start=starts_at,
        blocked_end=ends_at + dt.timedelta(minutes=service.buffer_after_minutes),
        status=Booking.Status.CONFIRMED,
        pay_with=Booking.PayWith.CARD,
        price_amount=service.price,
        price_currency=service.currency,
        confirmed_at=starts_at - dt.timedelta(days=7),
    )


def test_a_moved_booking_shows_its_new_time_on_the_statement():
    service = bookable_service(name="Reiki")
    service.practitioner.time_zone = "Europe/London"
    service.practitioner.save(update_fields=["time_zone"])
    account = ConnectedAccountFactory(owner=service.practitioner.user)
    person = UserFactory()
    old, new = slot(days=5, hour=10), slot(days=6, hour=14)
    booking = confirmed(service, old, person)
    Payment.objects.create(
        user=person,
        purpose=Payment.Purpose.BOOKING,
        description=f"Reiki on {old:%d %b %Y %H:%M} UTC",
        amount=6000,
        currency="gbp",
        application_fee_amount=900,
        destination=account,
        status=Payment.Status.PAID,
        paid_at=old - dt.timedelta(days=7),
        source_type="booking",
        source_id=str(booking.pk),
    )
    Transfer.objects.create(
        destination=account,
        amount=1700,
        gross_amount=2000,
        currency="gbp",
        source_type="booking",
        source_id=str(booking.pk),
        description="Late cancellation of Reiki",
        status=Transfer.Status.CREATED,
    )

    booking_reschedule(booking=booking, by=person, starts_at=new)

    london = new.astimezone(service.practitioner.zone)
    label = f"Reiki on {london:%d %b %Y %H:%M} (Europe/London)"
    descriptions = sorted(row.description for row in earnings_statement(account=account))
    assert descriptions == sorted([label, f"Late cancellation of Reiki: {label}"])
    assert not any(f"{old:%H:%M}" in text for text in descriptions)
