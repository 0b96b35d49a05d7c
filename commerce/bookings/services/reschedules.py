"""Moving a confirmed booking to another time of the same service.

Who may move it: the practitioner (or staff) any confirmed booking that has not started;
the client only while cancelling would still give a full refund under the service's
policy (so a reschedule can never be used to dodge a late-cancellation charge). The new
time must be a bookable slot of the service right now (availability, notice, advance,
time off, busy times and the other live bookings with their buffers).

The move is one UPDATE of the booking's range. Like a new hold, it is checked first and
then written: on SQLite inside the serialized (BEGIN IMMEDIATE) transaction, on
PostgreSQL the exclusion constraint refuses the UPDATE when another booking or move took
the time meanwhile (Conflict "slot_taken"). Nothing is paid or refunded: the payment,
credits or sponsor draw stay with the booking.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from commerce.bookings.models import Booking
from commerce.bookings.notifications import booking_notify_rescheduled
from commerce.bookings.services.holds import (
    _blocked_range,
    _expire_stale_holds,
    _overlapping_live,
    _translate_overlap,
    require_slot_offered,
)
from commerce.errors import Conflict, InvalidRequest
from marketplace.practitioners.models import PractitionerProfile

Status = Booking.Status


def _acts_for_practitioner(booking: Booking, by: User) -> bool:
    return by.pk == booking.practitioner.user_id or by.is_staff


def booking_can_reschedule(*, booking: Booking, by: User, now: datetime | None = None) -> bool:
    """Whether `by` may move this booking now (see the module docstring). Needs
    booking.service and booking.practitioner loaded to stay query-free."""
    now = timezone.now() if now is None else now
    if booking.status != Status.CONFIRMED or booking.starts_at <= now:
        return False
    if _acts_for_practitioner(booking, by):
        return True
    if by.pk != booking.client_id:
        return False
    hours_before = (booking.starts_at - now).total_seconds() / 3600
    return booking.service.refund_percent_for(hours_before=hours_before) >= 100


@transaction.atomic
def booking_reschedule(
    *, booking: Booking, by: User, starts_at: datetime, now: datetime | None = None
) -> Booking:
    """Moves a confirmed booking to `starts_at` (same service, same payment) and tells
    both people after commit (a "moved" email with the same calendar UID and a higher
    SEQUENCE); the 24 h / 1 h reminders are due again for the new time.

    Errors: a naive time or the same time → InvalidRequest; not allowed for `by` now
    (status, started, or past the full-refund tier for the client) → Conflict
    "reschedule_not_allowed"; the time is held or booked by someone else → Conflict
    "slot_taken"; a time the service does not offer → Conflict "slot_unavailable"."""
    now = timezone.now() if now is None else now
    if timezone.is_naive(starts_at):
        raise InvalidRequest("start needs a UTC offset.", code="invalid_datetime")
    locked = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service", "service__practitioner", "practitioner")
        .get(pk=booking.pk)
    )
    if not booking_can_reschedule(booking=locked, by=by, now=now):
        raise Conflict(
            "This booking can no longer be moved: ask the practitioner, or cancel it under "
            "the cancellation policy.",
            code="reschedule_not_allowed",
        )
    if starts_at == locked.starts_at:
        raise InvalidRequest("The booking is already at that time.", code="same_time")
    service = locked.service
    if (
        not service.is_active
        or service.practitioner.status not in PractitionerProfile.BOOKABLE_STATUSES
    ):
        raise Conflict("This service cannot be booked at the moment.", code="slot_unavailable")
    ends_at, blocked_start, blocked_end = _blocked_range(service, starts_at)
    _expire_stale_holds(
        practitioner_id=locked.practitioner_id,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        now=now,
    )
    busy = list(
        _overlapping_live(
            practitioner_id=locked.practitioner_id,
            blocked_start=blocked_start,
            blocked_end=blocked_end,
        )
        .exclude(pk=locked.pk)
        .values_list("blocked_start", "blocked_end")
    )
    require_slot_offered(service=service, starts_at=starts_at, now=now, busy=busy)

    previous_starts_at = locked.starts_at
    with _translate_overlap():
        Booking.objects.filter(pk=locked.pk).update(
            starts_at=starts_at,
            ends_at=ends_at,
            blocked_start=blocked_start,
            blocked_end=blocked_end,
            rescheduled_at=now,
            reschedule_count=F("reschedule_count") + 1,
            # The real clock, not `now`: the calendar SEQUENCE counts from it.
            updated_at=timezone.now(),
        )
    locked.refresh_from_db()
    booking_notify_rescheduled(booking=locked, previous_starts_at=previous_starts_at)
    return locked
