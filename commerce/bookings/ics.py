"""iCalendar (RFC 5545) for bookings: the attachment on booking emails and the
practitioner's subscribed feed, built with `icalendar`.

- UID is stable per booking (`booking-<pk>@<site host>`), so every later message about
  the booking updates the same calendar entry.
- DTSTART/DTEND are in UTC; calendar apps show them in their own zone.
- SEQUENCE grows whenever the booking row changes (seconds between creation and the
  last update, plus one per reschedule, plus one once cancelled), so a reschedule or
  cancellation always outranks what was sent before, even within the same second.
- Emails carry METHOD:REQUEST (a new or moved booking) or METHOD:CANCEL; the feed is
  METHOD:PUBLISH. ORGANIZER is the platform's address, never the practitioner's own,
  so replies from calendar apps do not leak to or from either side.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

if TYPE_CHECKING:
    from commerce.bookings.models import Booking

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]
PRODUCT_ID = "-//Aeyia//Bookings//EN"
ONLINE = "Online"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "aeyia.local"


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.pk}@{site_host()}"


def booking_sequence(booking: Booking) -> int:
    """Non-decreasing across every save of the booking; strictly higher after each
    reschedule and once cancelled."""
    from commerce.bookings.models import Booking

    changed = int((booking.updated_at - booking.created_at).total_seconds())
    return (
        max(changed, 0)
        + booking.reschedule_count
        + (1 if booking.status == Booking.Status.CANCELLED else 0)
    )


def booking_location(booking: Booking) -> str:
    service = booking.service
    if service.is_online or not service.location.strip():
        return ONLINE
    return service.location.strip()


def _organizer(display_name: str) -> vCalAddress:
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'hello@' + site_host()}")
    organizer.params["cn"] = vText(display_name)
    return organizer


def _calendar(method: Method) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def booking_event(
    booking: Booking,
    *,
    summary: str,
    attendee_email: str | None = None,
    attendee_name: str = "",
    now: datetime | None = None,
) -> Event:
    """One VEVENT for the booking. Needs booking.service and booking.practitioner loaded
    (select_related) to stay query-free."""
    from commerce.bookings.models import Booking

    now = timezone.now() if now is None else now
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", booking.starts_at.astimezone(UTC))
    event.add("dtend", booking.ends_at.astimezone(UTC))
    event.add("sequence", booking_sequence(booking))
    event.add("summary", summary)
    event.add("location", booking_location(booking))
    cancelled = booking.status == Booking.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("organizer", _organizer(f"{booking.practitioner.display_name} via Aeyia"))
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        if attendee_name:
            attendee.params["cn"] = vText(attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=0)
    return event


def client_summary(booking: Booking) -> str:
    return f"{booking.service.name} with {booking.practitioner.display_name}"


def practitioner_summary(booking: Booking) -> str:
    return f"{booking.service.name} with {client_short_name(booking.client)}"


def client_short_name(user) -> str:
    """First name and last initial: enough for a practitioner's calendar, less than a
    full name in a feed that third-party calendar services fetch."""
    first = (user.first_name or "").strip()
    last = (user.last_name or "").strip()
    if first:
        return f"{first} {last[:1]}.".strip() if last else first
    return "a client"


def booking_invitation(
    booking: Booking,
    *,
    method: Literal["REQUEST", "CANCEL"],
    summary: str,
    attendee_email: str,
    attendee_name: str = "",
) -> bytes:
    """The .ics attached to one recipient's email about the booking."""
    calendar = _calendar(method)
    calendar.add_component(
        booking_event(
            booking, summary=summary, attendee_email=attendee_email, attendee_name=attendee_name
        )
    )
    return calendar.to_ical()


def practitioner_feed(practitioner, bookings: Iterable[Booking]) -> bytes:
    """The practitioner's subscribed calendar (METHOD:PUBLISH), one VEVENT per booking."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", f"Aeyia: {practitioner.display_name}")
    calendar.add("x-wr-timezone", "UTC")
    # Asks subscribing apps to poll hourly (RFC 7986; Apple and Outlook read the X- form).
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    now = timezone.now()
    for booking in bookings:
        calendar.add_component(
            booking_event(booking, summary=practitioner_summary(booking), now=now)
        )
    return calendar.to_ical()
