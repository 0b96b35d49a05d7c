"""The sessions panel on a care record's overview page: the pair's bookings (marketplace
cannot read bookings, a layer above it, so this registers a panel with its pages)."""

from django.template.loader import render_to_string
from django.utils import timezone

from commerce.bookings.directory import person_zone
from commerce.bookings.models import Booking

SESSIONS_SHOWN = 20
STATUSES = (
    Booking.Status.CONFIRMED,
    Booking.Status.COMPLETED,
    Booking.Status.NO_SHOW,
    Booking.Status.CANCELLED,
)


def sessions_panel(*, request, record, side: str, role: str) -> str:
    bookings = (
        Booking.objects.filter(
            client_id=record.client_id,
            practitioner_id=record.practitioner_id,
            status__in=STATUSES,
        )
        .select_related("service")
        .order_by("-starts_at")[:SESSIONS_SHOWN]
    )
    if side == "practitioner":
        zone = record.practitioner.zone
    else:
        zone = person_zone(record.client) or timezone.get_current_timezone()
    with timezone.override(zone):
        return render_to_string(
            "bookings/care_record_sessions.html",
            {
                "bookings": list(bookings),
                "side": side,
                "link_bookings": role == "practitioner",
                "shown": SESSIONS_SHOWN,
                "zone": zone,
            },
            request=request,
        )


def register() -> None:
    from marketplace.clients.records.pages import register_panel

    register_panel("sessions", sessions_panel, order=10)
