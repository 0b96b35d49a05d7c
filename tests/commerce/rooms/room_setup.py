"""Shared setup for the rooms tests: an online session between a client and a
practitioner, starting relative to the real clock (sockets cannot travel in time)."""

import datetime as dt

from django.utils import timezone

from commerce.bookings.models import Booking
from tests.accounts.factories import UserFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory


def room_booking(
    *,
    starts_in: dt.timedelta = dt.timedelta(minutes=5),
    minutes: int = 50,
    is_online: bool = True,
    status: str = Booking.Status.CONFIRMED,
    practitioner=None,
    client=None,
    pay_with: str = Booking.PayWith.CREDITS,
) -> Booking:
    practitioner = practitioner or PractitionerProfileFactory(time_zone="UTC")
    service = ServiceFactory(
        practitioner=practitioner,
        duration_minutes=minutes,
        is_online=is_online,
        location="" if is_online else "1 High Street",
    )
    client = client or UserFactory(first_name="Jane", last_name="Doe")
    starts_at = timezone.now().replace(microsecond=0) + starts_in
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    return Booking.objects.create(
        client=client,
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_start=starts_at,
        blocked_end=ends_at,
        status=status,
        pay_with=pay_with,
        price_credits=1 if pay_with == Booking.PayWith.CREDITS else None,
        hold_expires_at=starts_at if status == Booking.Status.HELD else None,
        confirmed_at=None if status == Booking.Status.HELD else timezone.now(),
    )
