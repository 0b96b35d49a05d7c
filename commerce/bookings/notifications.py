"""Booking emails (confirmation, practitioner notice, cancellation, reschedule) and the
24 h / 1 h reminders by email and SMS.

Callers in the booking services call `booking_notify_confirmed`, `_cancelled` or
`_rescheduled` inside their transaction; the task is enqueued only when it commits, so a
rolled-back booking sends nothing. Every message is recorded once (reminders.py) before
it is sent, so a task that runs twice, or two workers running the same beat task at the
same moment, send it once. Times are shown in each recipient's own zone: the client's
`User.time_zone`, the practitioner's `PractitionerProfile.time_zone`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from commerce.bookings import ics
from commerce.bookings.directory import person_zone
from commerce.bookings.models import Booking
from commerce.bookings.reminders import BookingNotice, BookingReminder
from integrations.sms import get_sms_sender

logger = logging.getLogger(__name__)

Event = BookingNotice.Event
Audience = BookingNotice.Audience
Kind = BookingReminder.Kind
Channel = BookingReminder.Channel

# A reminder is due from `lead` before the start until the next, shorter reminder's lead
# (a 24 h reminder that is late by a day is not sent an hour before; the 1 h one is).
REMINDER_WINDOWS: dict[str, tuple[timedelta, timedelta]] = {
    Kind.DAY_BEFORE: (timedelta(hours=24), timedelta(hours=1)),
    Kind.HOUR_BEFORE: (timedelta(hours=1), timedelta(0)),
}
# A claimed reminder whose delivery task never started (the broker lost it, the worker
# died between commit and enqueue) is enqueued again after this long.
REMINDER_REENQUEUE_AFTER = timedelta(minutes=10)
ERROR_MAX_LENGTH = 2000


# ---------- hooks for the booking services ----------


def booking_notify_confirmed(*, booking: Booking) -> None:
    """Confirmation to the client and a new-booking notice to the practitioner, each with
    an .ics, after the current transaction commits."""
    _enqueue_notice(booking, Event.CONFIRMED)


def booking_notify_cancelled(*, booking: Booking) -> None:
    """Cancellation to both (METHOD:CANCEL), after commit. Nothing is sent for a hold that
    was never confirmed."""
    _enqueue_notice(booking, Event.CANCELLED)


def booking_notify_rescheduled(
    *, booking: Booking, previous_starts_at: datetime | None = None
) -> None:
    """New time to both (same UID, higher SEQUENCE), after commit. Assumes a reschedule
    moves the same Booking row; `previous_starts_at` is mentioned in the email if given."""
    _enqueue_notice(booking, Event.RESCHEDULED, previous_starts_at=previous_starts_at)


def booking_notify_no_show(*, booking: Booking) -> None:
    """Tells the client, after commit, that the practitioner recorded a no-show and what
    the policy gave back (no calendar file: the time is over)."""
    _enqueue_notice(booking, Event.NO_SHOW)


def _enqueue_notice(
    booking: Booking, event: str, *, previous_starts_at: datetime | None = None
) -> None:
    from commerce.bookings.tasks import send_booking_notice
    from events.outbox import enqueue_on_commit

    previous = previous_starts_at.isoformat() if previous_starts_at else None
    enqueue_on_commit(send_booking_notice, booking.pk, str(event), previous)


# ---------- notices ----------


def _booking_for_message(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("service", "practitioner__user", "client")
        .filter(pk=booking_id)
        .first()
    )


def _still_true(booking: Booking, event: str) -> bool:
    if event == Event.CANCELLED:
        return booking.status == Booking.Status.CANCELLED and booking.confirmed_at is not None
    if event == Event.NO_SHOW:
        return booking.status == Booking.Status.NO_SHOW
    return booking.status == Booking.Status.CONFIRMED


def booking_notice_send(
    *, booking_id: int, event: str, previous_starts_at: datetime | None = None
) -> int:
    """Sends the `event` emails for a booking to the client and the practitioner, each at
    most once per calendar sequence. Does nothing if the booking has since moved on (a
    confirmation for a booking already cancelled). Returns how many were sent."""
    booking = _booking_for_message(booking_id)
    if booking is None or not _still_true(booking, event):
        return 0
    sequence = ics.booking_sequence(booking)
    sent = 0
    # The practitioner reported the no-show themselves; only the client hears of it.
    audiences = (
        (Audience.CLIENT,) if event == Event.NO_SHOW else (Audience.CLIENT, Audience.PRACTITIONER)
    )
    for audience in audiences:
        notice = _claim(
            BookingNotice,
            booking=booking,
            event=event,
            audience=audience,
            sequence=sequence,
        )
        if notice is None:
            continue
        try:
            _send_booking_email(
                booking,
                template=f"{event}_{audience}",
                audience=audience,
                method="CANCEL" if event == Event.CANCELLED else "REQUEST",
                extra={"previous_starts_at": previous_starts_at},
                attach_calendar=event != Event.NO_SHOW,
            )
        except Exception as error:
            logger.exception("booking notice failed", extra={"notice_id": notice.pk})
            notice.error = _describe(error)
            notice.save(update_fields=["error"])
            continue
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
        sent += 1
    return sent


def _claim(model, **fields):
    """Inserts the row that stands for one message; None if it exists (sent or being sent
    by someone else). The unique constraint decides between concurrent callers."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]


def recipient_zone(booking: Booking, audience: str) -> ZoneInfo:
    """The practitioner's zone for them; for the client, their own chosen zone (or the
    browser's, adopted when they booked), otherwise the practitioner's, which the
    message names next to the times."""
    if audience == Audience.CLIENT:
        own = person_zone(booking.client)
        if own is not None:
            return own
    try:
        return ZoneInfo(booking.practitioner.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _recipient(booking: Booking, audience: str) -> tuple[str, str]:
    if audience == Audience.CLIENT:
        client = booking.client
        return client.email, client.get_full_name() or client.email
    return booking.practitioner.user.email, booking.practitioner.display_name


def _render(template: str, context: dict, zone: ZoneInfo) -> tuple[str, str]:
    # Django's date filter shows aware datetimes in the current zone: the recipient's.
    with timezone.override(zone):
        subject = render_to_string(f"bookings/email/{template}_subject.txt", context)
        body = render_to_string(f"bookings/email/{template}.txt", context)
    return " ".join(subject.split()), body


def _context(booking: Booking, audience: str, zone: ZoneInfo) -> dict:
    email, name = _recipient(booking, audience)
    return {
        "booking": booking,
        "service": booking.service,
        "practitioner": booking.practitioner,
        "client_name": ics.client_short_name(booking.client)
        if audience == Audience.PRACTITIONER
        else name,
        "recipient_name": name,
        "location": ics.booking_location(booking),
        "zone_name": str(zone.key),
        "site_url": settings.SITE_URL.rstrip("/"),
        "bookings_url": settings.SITE_URL.rstrip("/") + reverse("account-bookings"),
    }


def _send_booking_email(
    booking: Booking,
    *,
    template: str,
    audience: str,
    method: str,
    extra: dict | None = None,
    attach_calendar: bool = True,
) -> None:
    email, name = _recipient(booking, audience)
    zone = recipient_zone(booking, audience)
    context = {**_context(booking, audience, zone), **(extra or {})}
    subject, body = _render(template, context, zone)
    message = EmailMessage(subject=subject, body=body, to=[email])
    if not attach_calendar:
        message.send()
        return
    summary = ics.client_summary(booking) if audience == Audience.CLIENT else None
    invitation = ics.booking_invitation(
        booking,
        method="CANCEL" if method == "CANCEL" else "REQUEST",
        summary=summary or ics.practitioner_summary(booking),
        attendee_email=email,
        attendee_name=name,
    )
    message.attach(calendar_attachment(invitation, method=method))
    message.send()


def calendar_attachment(content: bytes, *, method: str) -> MIMEText:
    """text/calendar with the iTIP method in the content type, which Outlook and Gmail
    need to treat the file as an update to an existing entry."""
    part = MIMEText(content.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="booking.ics")
    return part


# ---------- reminders ----------


def _wants_sms() -> Q:
    return Q(client__contact_preference__sms_opt_in=True) & ~Q(
        client__contact_preference__phone_number=""
    )


def _reminder_exists(kind: str, channel: str) -> Exists:
    return Exists(
        BookingReminder.objects.filter(
            booking=OuterRef("pk"),
            kind=kind,
            channel=channel,
            for_starts_at=OuterRef("starts_at"),
        )
    )


def reminders_claim_due(*, now: datetime | None = None) -> list[int]:
    """Claims every reminder now due (one row per booking, kind, channel and session
    start) and returns the new rows' ids. A booking confirmed or moved inside a
    reminder's window does not get that reminder: its confirmation or "moved" email has
    just told the client. A moved booking is due again for its new start."""
    now = timezone.now() if now is None else now
    claimed: list[int] = []
    for kind, (lead, next_lead) in REMINDER_WINDOWS.items():
        due = (
            Booking.objects.filter(
                status=Booking.Status.CONFIRMED,
                starts_at__gt=now + next_lead,
                starts_at__lte=now + lead,
            )
            .exclude(confirmed_at__gt=F("starts_at") - lead)
            .exclude(rescheduled_at__gt=F("starts_at") - lead)
            .filter(
                ~_reminder_exists(kind, Channel.EMAIL)
                | (_wants_sms() & ~_reminder_exists(kind, Channel.SMS))
            )
            .select_related("client__contact_preference")
            .order_by("starts_at", "pk")
        )
        for booking in due:
            channels = [Channel.EMAIL]
            if client_wants_sms(booking.client):
                channels.append(Channel.SMS)
            for channel in channels:
                reminder = _claim(
                    BookingReminder,
                    booking=booking,
                    kind=kind,
                    channel=channel,
                    for_starts_at=booking.starts_at,
                )
                if reminder is not None:
                    claimed.append(reminder.pk)
    return claimed


def reminders_unstarted(*, now: datetime | None = None) -> list[int]:
    """Claimed reminders whose delivery never started, for sessions still ahead."""
    now = timezone.now() if now is None else now
    return list(
        BookingReminder.objects.filter(
            attempted_at__isnull=True,
            created_at__lte=now - REMINDER_REENQUEUE_AFTER,
            booking__starts_at__gt=now,
            for_starts_at=F("booking__starts_at"),
        ).values_list("pk", flat=True)
    )


def client_wants_sms(user) -> bool:
    try:
        preference = user.contact_preference
    except ObjectDoesNotExist:
        return False
    return preference.wants_sms


def booking_reminder_deliver(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Sends one claimed reminder, at most once: `attempted_at` is set by a conditional
    update first, so a redelivered task finds it taken. A failure (or a booking that is
    no longer confirmed, or a client who opted out) is written to `error` and not
    retried. Returns whether it was sent."""
    now = timezone.now() if now is None else now
    if not BookingReminder.objects.filter(pk=reminder_id, attempted_at__isnull=True).update(
        attempted_at=now
    ):
        return False
    reminder = BookingReminder.objects.select_related(
        "booking__service",
        "booking__practitioner__user",
        "booking__client__contact_preference",
    ).get(pk=reminder_id)
    booking = reminder.booking
    try:
        if booking.status != Booking.Status.CONFIRMED or booking.starts_at <= now:
            raise ReminderSkipped(f"booking is {booking.status}, starting {booking.starts_at}")
        if booking.starts_at != reminder.for_starts_at:
            raise ReminderSkipped(f"booking moved to {booking.starts_at}")
        if reminder.channel == Channel.SMS:
            reminder.provider_message_id = _send_reminder_sms(booking, reminder)
        else:
            _send_booking_email(
                booking,
                template="reminder_client",
                audience=Audience.CLIENT,
                method="REQUEST",
                extra={"kind": reminder.kind},
            )
    except Exception as error:
        if not isinstance(error, ReminderSkipped):
            logger.exception("booking reminder failed", extra={"reminder_id": reminder.pk})
        reminder.error = _describe(error)
        reminder.save(update_fields=["error", "provider_message_id"])
        return False
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["sent_at", "provider_message_id"])
    return True


class ReminderSkipped(Exception):
    """The reminder no longer applies; recorded on the row, not an error to alert on."""


def _send_reminder_sms(booking: Booking, reminder: BookingReminder) -> str:
    if not client_wants_sms(booking.client):
        raise ReminderSkipped("the client no longer receives SMS")
    zone = recipient_zone(booking, Audience.CLIENT)
    context = {**_context(booking, Audience.CLIENT, zone), "kind": reminder.kind}
    with timezone.override(zone):
        body = " ".join(render_to_string("bookings/sms/reminder.txt", context).split())
    sent = get_sms_sender().send(
        to=booking.client.contact_preference.phone_number,
        body=body,
        idempotency_key=f"booking-reminder-{reminder.pk}",
    )
    return sent.message_id
