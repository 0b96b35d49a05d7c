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
        refresh_external_calendar.delay(calendar_id)
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
