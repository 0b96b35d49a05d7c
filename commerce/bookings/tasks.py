"""Thin Celery tasks for availability."""

from celery import shared_task

from commerce.bookings.models import ExternalCalendar
from commerce.bookings.services import (
    bookings_complete_past,
    bookings_expire_holds,
    external_calendar_refresh,
)


@shared_task(name="commerce.bookings.tasks.refresh_external_calendar")
def refresh_external_calendar(calendar_id: int) -> bool:
    """Refreshes one calendar (idempotent: it replaces that calendar's busy times)."""
    calendar = (
        ExternalCalendar.objects.select_related("practitioner")
        .filter(pk=calendar_id, is_active=True)
        .first()
    )
    if calendar is None:
        return False
    return external_calendar_refresh(calendar=calendar)


@shared_task(name="commerce.bookings.tasks.refresh_external_calendars")
def refresh_external_calendars() -> int:
    """Beat entry point: fans out one task per active calendar so a slow feed holds up
    only itself. Returns how many were enqueued."""
    calendar_ids = list(
        ExternalCalendar.objects.filter(is_active=True).values_list("pk", flat=True)
    )
    for calendar_id in calendar_ids:
        enqueue_on_commit(refresh_external_calendar, calendar_id)
    return len(calendar_ids)


@shared_task(name="commerce.bookings.tasks.expire_booking_holds")
def expire_booking_holds() -> int:
    """Beat entry point: ends holds whose time ran out (idempotent)."""
    return bookings_expire_holds()


@shared_task(name="commerce.bookings.tasks.complete_past_bookings")
def complete_past_bookings() -> int:
    """Beat entry point: completes sessions that have ended and pays practitioners for
    those not paid by card (idempotent: one transfer per booking)."""
    return bookings_complete_past()


# ---------- notifications and reminders (commerce.bookings.notifications) ----------

from datetime import datetime  # noqa: E402

from commerce.bookings import notifications  # noqa: E402
from events.outbox import enqueue_on_commit  # noqa: E402


@shared_task(name="commerce.bookings.tasks.send_booking_notice")
def send_booking_notice(booking_id: int, event: str, previous_starts_at: str | None = None) -> int:
    """Emails about one booking event (confirmed, cancelled, rescheduled) to the client
    and the practitioner. Idempotent: each message is recorded once per sequence."""
    previous = datetime.fromisoformat(previous_starts_at) if previous_starts_at else None
    return notifications.booking_notice_send(
        booking_id=booking_id, event=event, previous_starts_at=previous
    )


@shared_task(name="commerce.bookings.tasks.send_booking_reminder")
def send_booking_reminder(reminder_id: int) -> bool:
    """Delivers one claimed reminder, at most once (see booking_reminder_deliver)."""
    return notifications.booking_reminder_deliver(reminder_id=reminder_id)


@shared_task(name="commerce.bookings.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Beat entry point (every 5 minutes): claims the reminders now due, then enqueues
    their delivery once each claim has committed. Two runs at once claim each reminder
    once between them (unique row per booking, kind and channel). Also re-enqueues
    claims whose delivery never started. Returns how many were enqueued."""
    reminder_ids = notifications.reminders_claim_due()
    reminder_ids += [pk for pk in notifications.reminders_unstarted() if pk not in reminder_ids]
    for reminder_id in reminder_ids:
        enqueue_on_commit(send_booking_reminder, reminder_id)
    return len(reminder_ids)
