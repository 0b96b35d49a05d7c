"""What bookings tell the care record (marketplace.clients), which may not import them:
the sessions between a client and a practitioner, for session notes to be written about.
Registered from BookingsConfig.ready()."""

from commerce.bookings.models import Booking
from marketplace.clients.notes.sessions import SessionRef, register_session_lister

# Sessions that took place or are arranged: a note may be written before or after.
NOTE_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def sessions_between(*, client_id: int, practitioner_id: int) -> list[SessionRef]:
    bookings = (
        Booking.objects.filter(
            client_id=client_id, practitioner_id=practitioner_id, status__in=NOTE_STATUSES
        )
        .select_related("service")
        .order_by("-starts_at", "-pk")
    )
    return [
        SessionRef(booking_id=booking.pk, starts_at=booking.starts_at, label=booking.service.name)
        for booking in bookings
    ]


def register() -> None:
    register_session_lister(sessions_between, name="bookings")
