"""What intake needs to know about bookings. Bookings live in commerce, a layer above, so
commerce registers a source from its AppConfig.ready() and this app never imports it:

    from marketplace.clients.intake.bookings import register_booking_source
    register_booking_source(IntakeBookings())

Times are read from the booking as it is now, so a reschedule moves the intake's lock and
its reminder with it, and a cancelled booking asks for no intake."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class BookingFacts:
    booking_id: int
    client_id: int
    practitioner_id: int  # practitioners.PractitionerProfile
    service_id: int
    service_name: str
    starts_at: datetime
    is_confirmed: bool  # confirmed, completed or no-show: a session that was (or is) on


class BookingSource(Protocol):
    def booking(self, booking_id: int) -> BookingFacts | None: ...

    def bookings_between(self, *, client_id: int, practitioner_id: int) -> list[BookingFacts]:
        """Confirmed bookings of the pair, newest first."""
        ...

    def confirmed_starting_between(
        self, *, start: datetime, end: datetime, service_ids: Collection[int]
    ) -> list[BookingFacts]: ...


class _NoBookings:
    def booking(self, booking_id: int) -> BookingFacts | None:
        return None

    def bookings_between(self, *, client_id: int, practitioner_id: int) -> list[BookingFacts]:
        return []

    def confirmed_starting_between(
        self, *, start: datetime, end: datetime, service_ids: Collection[int]
    ) -> list[BookingFacts]:
        return []


_source: list[BookingSource] = [_NoBookings()]


def register_booking_source(source: BookingSource) -> None:
    _source[0] = source


def booking_source() -> BookingSource:
    return _source[0]
