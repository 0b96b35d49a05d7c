"""Booking notices (confirmation, practitioner notice, cancellation, reschedule, no-show)
and the 24 h / 1 h reminders, all through `notifications.services.notify` (decision 0038).

The booking services call `booking_notify_confirmed`, `_cancelled`, `_rescheduled` or
`_no_show` inside their transaction: the notification and its deliveries are written in
that transaction and dispatched after it commits, so a rolled-back booking sends nothing.
What the old claim rows guaranteed now comes from the notification's unique dedupe key:
a notice once per booking, event, audience and calendar SEQUENCE; a reminder once per
booking, kind and session start (a moved booking is reminded again for its new time).

Times are written into the stored context already formatted in each recipient's zone:
the client's own zone (else the practitioner's, which the message names), the
practitioner's profile zone for them. That zone is a property of the booking, not only
of the person (a practitioner's profile zone is not their account's), so it is fixed when
the notice is created. The .ics is built at send time from the booking as it is then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone

from commerce.bookings import ics
from commerce.bookings.directory import person_zone
from commerce.bookings.models import Booking
from notifications.kinds import Category, Channel, EmailExtras, NotificationType, register
from notifications.models import Delivery, Notification
from notifications.services import notify

Audience = Literal["client", "practitioner"]
CLIENT: Audience = "client"
PRACTITIONER: Audience = "practitioner"

CONFIRMED = "confirmed"
CANCELLED = "cancelled"
RESCHEDULED = "rescheduled"
NO_SHOW = "no_show"
EVENTS = (CONFIRMED, CANCELLED, RESCHEDULED, NO_SHOW)

DAY_BEFORE = "24h"
HOUR_BEFORE = "1h"

# Notification type per (event, audience). The practitioner reports a no-show themselves,
# so only the client hears of it.
NOTICE_TYPES: dict[tuple[str, Audience], str] = {
    (CONFIRMED, CLIENT): "bookings.confirmed",
    (CANCELLED, CLIENT): "bookings.cancelled",
    (RESCHEDULED, CLIENT): "bookings.rescheduled",
    (NO_SHOW, CLIENT): "bookings.no_show",
    (CONFIRMED, PRACTITIONER): "bookings.practice_booked",
    (CANCELLED, PRACTITIONER): "bookings.practice_cancelled",
    (RESCHEDULED, PRACTITIONER): "bookings.practice_rescheduled",
}
REMINDER_TYPE = "bookings.reminder"

# A reminder is due from `lead` before the start until the next, shorter reminder's lead
# (a 24 h reminder that is late by a day is not sent an hour before; the 1 h one is).
REMINDER_WINDOWS: dict[str, tuple[timedelta, timedelta]] = {
    DAY_BEFORE: (timedelta(hours=24), timedelta(hours=1)),
    HOUR_BEFORE: (timedelta(hours=1), timedelta(0)),
}
# How early the session room opens (rooms-web's window); the reminders say so.
ROOM_OPENS_MINUTES_BEFORE = 10

LONG = "l j F Y, H:i"
SHORT = "D j M, H:i T"


# ---------- notification types ----------


def _booking_for_extras(notification: Notification) -> Booking | None:
    booking_id = (notification.context or {}).get("booking_id")
    if booking_id is None:
        return None
    return (
        Booking.objects.select_related("service", "practitioner__user", "client")
        .filter(pk=booking_id)
        .first()
    )


def calendar_extras(notification: Notification) -> EmailExtras:
    """The .ics for the recipient: METHOD:CANCEL for a cancellation, REQUEST otherwise,
    with the booking's stable UID and its SEQUENCE as it is at send time (so a later
    change always outranks what this message carries)."""
    booking = _booking_for_extras(notification)
    if booking is None:
        return EmailExtras()
    context = notification.context or {}
    method: Literal["REQUEST", "CANCEL"] = (
        "CANCEL" if context.get("event") == CANCELLED else "REQUEST"
    )
    summary = (
        ics.client_summary(booking)
        if context.get("audience") == CLIENT
        else ics.practitioner_summary(booking)
    )
    attendee_email = notification.address
    invitation = ics.booking_invitation(
        booking,
        method=method,
        summary=summary,
        attendee_email=attendee_email,
        attendee_name=context.get("recipient_name", ""),
    )
    return EmailExtras(
        attachments=(("booking.ics", invitation.decode(), f"text/calendar; method={method}"),)
    )


def register_types() -> None:
    """Called from BookingsConfig.ready."""
    notice_channels = frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH})
    for (event, _audience), key in NOTICE_TYPES.items():
        register(
            NotificationType(
                key=key,
                category=Category.BOOKINGS,
                channels=notice_channels,
                # A cancellation or a move is worth knowing at once; a digest would
                # leave the old time in someone's calendar for hours.
                urgent=event in (CANCELLED, RESCHEDULED),
                email_extras=None if event == NO_SHOW else calendar_extras,
            )
        )
    register(
        NotificationType(
            key=REMINDER_TYPE,
            category=Category.REMINDERS,
            channels=frozenset({Channel.IN_APP, Channel.EMAIL, Channel.SMS, Channel.PUSH}),
            urgent=True,
        )
    )


# ---------- context ----------


def recipient_zone(booking: Booking, audience: str) -> ZoneInfo:
    """The practitioner's zone for them; for the client, their own chosen zone (or the
    browser's, adopted when they booked), otherwise the practitioner's, which the
    message names next to the times."""
    if audience == CLIENT:
        own = person_zone(booking.client)
        if own is not None:
            return own
    try:
        return ZoneInfo(booking.practitioner.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _recipient(booking: Booking, audience: str):
    return booking.client if audience == CLIENT else booking.practitioner.user


def _recipient_name(booking: Booking, audience: str) -> str:
    if audience == CLIENT:
        return booking.client.get_full_name() or booking.client.email
    return booking.practitioner.display_name


def _format(moment: datetime, zone: ZoneInfo, pattern: str) -> str:
    return dateformat.format(moment.astimezone(zone), pattern)


def join_url(booking: Booking) -> str:
    """The session room page for an online booking; empty for one in person or while the
    room's page does not exist yet."""
    if not booking.service.is_online:
        return ""
    try:
        return reverse("room", args=[booking.pk])
    except NoReverseMatch:
        return ""


def _link(booking: Booking, audience: str) -> str:
    if audience == CLIENT:
        return reverse("booking-detail", args=[booking.pk])
    return reverse("practice-booking", args=[booking.pk])


def booking_context(
    booking: Booking,
    audience: Audience,
    *,
    event: str,
    previous_starts_at: datetime | None = None,
    kind: str = "",
) -> dict:
    """JSON for the templates: ids, names and the times already written in the
    recipient's zone (see the module docstring)."""
    zone = recipient_zone(booking, audience)
    room = join_url(booking) if audience == CLIENT else ""
    return {
        "booking_id": booking.pk,
        "event": event,
        "audience": audience,
        "kind": kind,
        "sequence": ics.booking_sequence(booking),
        "service_name": booking.service.name,
        "practitioner_name": booking.practitioner.display_name,
        "client_name": (
            ics.client_short_name(booking.client)
            if audience == PRACTITIONER
            else _recipient_name(booking, CLIENT)
        ),
        "recipient_name": _recipient_name(booking, audience),
        "location": ics.booking_location(booking),
        "is_online": booking.service.is_online,
        "join_path": room,
        "room_opens_minutes": ROOM_OPENS_MINUTES_BEFORE,
        "zone_name": str(zone.key),
        "starts_at": booking.starts_at.isoformat(),
        "when": f"{_format(booking.starts_at, zone, LONG)}–{_format(booking.ends_at, zone, 'H:i')}",
        "when_short": _format(booking.starts_at, zone, SHORT),
        "time_short": _format(booking.starts_at, zone, "H:i T"),
        "day_short": _format(booking.starts_at, zone, "D j M"),
        "previous_when": (
            _format(previous_starts_at, zone, LONG) if previous_starts_at is not None else ""
        ),
        "refund_percent": booking.refund_percent,
        "bookings_path": reverse("account-bookings"),
    }


# ---------- hooks for the booking services ----------


def booking_notify_confirmed(*, booking: Booking) -> None:
    """Confirmation to the client and a new-booking notice to the practitioner, each with
    an .ics. Call inside the confirming transaction."""
    _notify_event(booking, CONFIRMED)


def booking_notify_cancelled(*, booking: Booking) -> None:
    """Cancellation to both (METHOD:CANCEL). Nothing for a hold that was never confirmed.
    Reminders not yet out for it are withdrawn."""
    _notify_event(booking, CANCELLED)
    reminders_withdraw(booking_id=booking.pk, reason="the booking was cancelled")


def booking_notify_rescheduled(
    *, booking: Booking, previous_starts_at: datetime | None = None
) -> None:
    """New time to both (same UID, higher SEQUENCE). Assumes a reschedule moves the same
    Booking row; `previous_starts_at` is mentioned if given. Reminders not yet out for the
    old time are withdrawn; the new time gets its own."""
    _notify_event(booking, RESCHEDULED, previous_starts_at=previous_starts_at)
    reminders_withdraw(
        booking_id=booking.pk, reason="the booking moved", keep_start=booking.starts_at
    )


def booking_notify_no_show(*, booking: Booking) -> None:
    """Tells the client that the practitioner recorded a no-show and what the policy
    gave back (no calendar file: the time is over)."""
    _notify_event(booking, NO_SHOW)


def _still_true(booking: Booking, event: str) -> bool:
    if event == CANCELLED:
        return booking.status == Booking.Status.CANCELLED and booking.confirmed_at is not None
    if event == NO_SHOW:
        return booking.status == Booking.Status.NO_SHOW
    return booking.status == Booking.Status.CONFIRMED


def notice_dedupe_key(booking: Booking, event: str) -> str:
    return f"booking:{booking.pk}:{event}:seq{ics.booking_sequence(booking)}"


def _notify_event(
    booking: Booking, event: str, *, previous_starts_at: datetime | None = None
) -> list[Notification]:
    if not _still_true(booking, event):
        return []
    created = []
    for audience in (CLIENT, PRACTITIONER):
        key = NOTICE_TYPES.get((event, audience))
        if key is None:
            continue
        created.append(
            notify(
                recipient=_recipient(booking, audience),
                type_key=key,
                context=booking_context(
                    booking, audience, event=event, previous_starts_at=previous_starts_at
                ),
                dedupe_key=notice_dedupe_key(booking, event),
                link=_link(booking, audience),
                event_at=booking.starts_at,
            )
        )
    return created


def booking_notice_send(
    *, booking_id: int, event: str, previous_starts_at: datetime | None = None
) -> int:
    """The notices for one booking event, if it still holds (a confirmation for a booking
    cancelled since is not sent). Serves tasks enqueued before decision 0038, which
    notified after commit instead of inside the booking's transaction. Returns how many
    notifications this call created."""
    booking = (
        Booking.objects.select_related("service", "practitioner__user", "client")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or event not in EVENTS:
        return 0
    before = _existing(booking, event)
    with transaction.atomic():
        notices = _notify_event(booking, event, previous_starts_at=previous_starts_at)
    return sum(1 for notice in notices if notice.pk not in before)


def _existing(booking: Booking, event: str) -> set[int]:
    keys = [key for (kind, _), key in NOTICE_TYPES.items() if kind == event]
    return set(
        Notification.objects.filter(
            type_key__in=keys, dedupe_key=notice_dedupe_key(booking, event)
        ).values_list("pk", flat=True)
    )


# ---------- reminders ----------


def reminder_dedupe_key(booking_id: int, kind: str, starts_at: datetime) -> str:
    # The start is part of the key: a moved booking is reminded again for its new time.
    return f"booking:{booking_id}:reminder:{kind}:{int(starts_at.timestamp())}"


def _due(kind: str, now: datetime) -> Iterable[Booking]:
    lead, next_lead = REMINDER_WINDOWS[kind]
    return (
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            starts_at__gt=now + next_lead,
            starts_at__lte=now + lead,
        )
        # Confirmed or moved inside the window: that email has just told the client.
        .exclude(confirmed_at__gt=F("starts_at") - lead)
        .exclude(rescheduled_at__gt=F("starts_at") - lead)
        .select_related("service", "practitioner__user", "client")
        .order_by("starts_at", "pk")
    )


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Creates every reminder now due, one notification per booking, kind and session
    start, with `event_at` the start (quiet hours never hold a reminder for a session
    that begins inside them). Two runs at once create each reminder once between them
    (the notification's unique dedupe key). Returns how many this run asked for: a key
    already present is skipped, so only two runs racing on the same booking can both
    count it, while its rows and messages are still created once."""
    now = timezone.now() if now is None else now
    created = 0
    for kind in REMINDER_WINDOWS:
        due = list(_due(kind, now))
        keys = {
            booking.pk: reminder_dedupe_key(booking.pk, kind, booking.starts_at) for booking in due
        }
        # One query instead of one notify() per booking already reminded (a 24 h window
        # holds many bookings on each five-minute run).
        done = set(
            Notification.objects.filter(
                type_key=REMINDER_TYPE, dedupe_key__in=keys.values()
            ).values_list("dedupe_key", flat=True)
        )
        for booking in due:
            if keys[booking.pk] in done:
                continue
            # One transaction per reminder: its notification and deliveries land together,
            # and one booking's failure does not undo the others'.
            with transaction.atomic():
                notify(
                    recipient=booking.client,
                    type_key=REMINDER_TYPE,
                    context=booking_context(booking, CLIENT, event="reminder", kind=kind),
                    dedupe_key=keys[booking.pk],
                    link=join_url(booking) or _link(booking, CLIENT),
                    event_at=booking.starts_at,
                )
            created += 1
    return created


def reminders_withdraw(*, booking_id: int, reason: str, keep_start: datetime | None = None) -> int:
    """Skips reminder deliveries for the booking that have not gone out yet (held for
    quiet hours or waiting for a retry), except those for `keep_start`. Returns how many."""
    prefix = f"booking:{booking_id}:reminder:"
    deliveries = Delivery.objects.filter(
        notification__type_key=REMINDER_TYPE,
        notification__dedupe_key__startswith=prefix,
        state__in=[Delivery.State.PENDING, Delivery.State.HELD, Delivery.State.FAILED],
    )
    if keep_start is not None:
        deliveries = deliveries.exclude(
            notification__dedupe_key__endswith=f":{int(keep_start.timestamp())}"
        )
    return deliveries.update(state=Delivery.State.SKIPPED, skip_reason=reason[:200])
