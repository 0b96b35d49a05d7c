"""Thin Celery tasks for availability."""

from celery import shared_task

from commerce.bookings.models import ExternalCalendar
from commerce.bookings.services import (
    bookings_complete_past,
    bookings_expire_holds,
    external_calendar_refresh,
)
from events.outbox import enqueue_on_commit


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


@shared_task(name="commerce.bookings.tasks.send_booking_notice")
def send_booking_notice(booking_id: int, event: str, previous_starts_at: str | None = None) -> int:
    """Notices about one booking event to the client and the practitioner, for messages
    enqueued before decision 0038 (the booking services now notify in their own
    transaction). Idempotent: one notification per booking, event and sequence."""
    previous = datetime.fromisoformat(previous_starts_at) if previous_starts_at else None
    return notifications.booking_notice_send(
        booking_id=booking_id, event=event, previous_starts_at=previous
    )


@shared_task(name="commerce.bookings.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Beat entry point (every 5 minutes): creates the reminders now due through the
    notification service, which sends each channel after commit. Two runs at once create
    each reminder once between them (unique dedupe key per booking, kind and start).
    Returns how many reminders this run created."""
    return notifications.reminders_send_due()
