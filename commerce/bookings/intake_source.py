"""The booking facts intake asks for (marketplace.clients.intake.bookings): intake sits a
layer below and may not import bookings, so this app hands it a source at start-up."""

from collections.abc import Collection
from datetime import datetime

from commerce.bookings.models import Booking
from marketplace.clients.intake.bookings import BookingFacts, register_booking_source

_ON = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def _facts(booking: Booking) -> BookingFacts:
    return BookingFacts(
        booking_id=booking.pk,
        client_id=booking.client_id,
        practitioner_id=booking.practitioner_id,
        service_id=booking.service_id,
        service_name=booking.service.name,
        starts_at=booking.starts_at,
        is_confirmed=booking.status in _ON,
    )


class IntakeBookings:
    def booking(self, booking_id: int) -> BookingFacts | None:
        booking = Booking.objects.select_related("service").filter(pk=booking_id).first()
        return _facts(booking) if booking is not None else None

    def bookings_between(self, *, client_id: int, practitioner_id: int) -> list[BookingFacts]:
        bookings = (
            Booking.objects.select_related("service")
            .filter(client_id=client_id, practitioner_id=practitioner_id, status__in=_ON)
            .order_by("-starts_at", "-pk")
        )
        return [_facts(booking) for booking in bookings]

    def confirmed_starting_between(
        self, *, start: datetime, end: datetime, service_ids: Collection[int]
    ) -> list[BookingFacts]:
        bookings = Booking.objects.select_related("service").filter(
            status=Booking.Status.CONFIRMED,
            starts_at__gt=start,
            starts_at__lte=end,
            service_id__in=list(service_ids),
        )
        return [_facts(booking) for booking in bookings.order_by("starts_at", "pk")]


def register() -> None:
    register_booking_source(IntakeBookings())
