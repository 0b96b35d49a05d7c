"""The end of a booking's life: cancellation under the service's policy, holds that run
out, clients who did not come, sessions that are over and the practitioner's pay for
those not paid by card.

A session is completed (and paid out when not paid by card) NO_SHOW_WINDOW after it
ends, not at its end: until then the practitioner can report a no-show, which ends the
booking instead, with the policy's share given back and only the rest paid out."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from commerce.bookings.models import Booking
from commerce.bookings.notifications import booking_notify_cancelled, booking_notify_no_show
from commerce.bookings.services.holds import BOOKING_SOURCE_TYPE
from commerce.credits.services import credits_refund
from commerce.errors import Conflict
from commerce.partners.services import pool_draw_reverse
from commerce.payments.models import ConnectedAccount
from commerce.payments.services import refund_create, transfer_create

PayWith = Booking.PayWith
Status = Booking.Status
CANCEL_SOURCE_TYPE = "booking-cancel"
NO_SHOW_SOURCE_TYPE = "booking-no-show"
# How long after a session ends the practitioner can still report a no-show; the
# session is completed (and paid out) only then.
NO_SHOW_WINDOW = timedelta(hours=24)


def _refund_percent(booking: Booking, *, by: User, now: datetime) -> int:
    """A practitioner (or staff) cancelling gives everything back; a client gets what the
    service's tier for the notice given says."""
    if by.pk != booking.client_id:
        return 100
    hours_before = (booking.starts_at - now).total_seconds() / 3600
    return booking.service.refund_percent_for(hours_before=hours_before)


def _pay_practitioner(booking: Booking, *, percent: int, description: str) -> None:
    """A transfer of `percent` of the session's value to the practitioner's connected
    account, for sessions not paid by card (card sessions pay out as destination charges,
    and a partial refund keeps the rest with the practitioner). Once per booking."""
    if booking.pay_with == PayWith.CARD or not booking.price_amount or percent <= 0:
        return
    account = ConnectedAccount.objects.filter(owner_id=booking.practitioner.user_id).first()
    if account is None:
        return
    gross = booking.price_amount * percent // 100
    if gross <= 0:
        return
    transfer_create(
        destination=account,
        gross_amount=gross,
        currency=booking.price_currency,
        source_type=BOOKING_SOURCE_TYPE,
        source_id=str(booking.pk),
        description=description[:200],
    )


def _give_back(
    booking: Booking,
    *,
    percent: int,
    by: User,
    source_type: str = CANCEL_SOURCE_TYPE,
    why: str = "Cancelled",
) -> int:
    """Returns `percent` of what the booking was paid with; the amount given back, in the
    unit it was paid in (credits and the membership allowance go back to the lots they
    came from, with those lots' expiry)."""
    if percent <= 0:
        return 0
    # The callers select_related payment, credit_spend and pool_draw, so reading them
    # costs no query (and an empty one is None without a query).
    payment, spend, draw = booking.payment, booking.credit_spend, booking.pool_draw
    if booking.pay_with == PayWith.CARD and payment is not None:
        amount = payment.amount * percent // 100
        if amount <= 0 or payment.paid_at is None:
            return 0
        refund_create(
            payment=payment,
            amount=amount,
            reason="requested_by_customer",
            note=f"Booking {booking.pk}: {why.lower()} ({percent}% under the policy).",
            created_by=by,
        )
        return amount
    if booking.pay_with in (PayWith.CREDITS, PayWith.MEMBERSHIP) and spend is not None:
        amount = (booking.price_credits or 0) * percent // 100
        if amount <= 0:
            return 0
        credits_refund(
            spend=spend,
            amount=amount,
            source_type=source_type,
            source_id=str(booking.pk),
            memo=f"{why}: {percent}% back",
        )
        return amount
    if booking.pay_with == PayWith.SPONSOR and draw is not None:
        # A draw is returned whole or not at all: only when the policy gives everything
        # back (a one-session draw cannot be half returned).
        if draw.units * percent // 100 < draw.units:
            return 0
        pool_draw_reverse(draw=draw, source_type=source_type, source_id=str(booking.pk))
        return draw.units
    return 0


@transaction.atomic
def booking_cancel(
    *, booking: Booking, by: User, reason: str = "", now: datetime | None = None
) -> Booking:
    """Cancels a held or confirmed booking that has not started. A hold is simply
    released. A confirmed booking gets back the policy's share: to the card (a Stripe
    refund), to the credits it was spent from, or to the sponsor pool (whole draws only);
    a practitioner's cancellation always gives everything back. For bookings not paid by
    card the practitioner is paid the share kept. Repeating a cancellation returns the
    booking unchanged; anything else that is over is Conflict "not_cancellable"."""
    now = timezone.now() if now is None else now
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service", "practitioner", "payment", "credit_spend", "pool_draw")
        .get(pk=booking.pk)
    )
    if booking.status == Status.CANCELLED:
        return booking
    if booking.status not in Booking.LIVE_STATUSES:
        raise Conflict(
            f"This booking is {booking.get_status_display().lower()}.", code="not_cancellable"
        )
    if booking.starts_at <= now:
        raise Conflict("This session has already started.", code="not_cancellable")
    was_confirmed = booking.status == Status.CONFIRMED
    booking.status = Status.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.cancellation_reason = (reason or "")[:500]
    fields = ["status", "cancelled_at", "cancelled_by", "cancellation_reason"]
    if was_confirmed:
        percent = _refund_percent(booking, by=by, now=now)
        booking.refund_percent = percent
        booking.refund_amount = _give_back(booking, percent=percent, by=by)
        fields += ["refund_percent", "refund_amount"]
        _pay_practitioner(
            booking,
            percent=100 - percent,
            description=f"Late cancellation of {booking.service.name}",
        )
    booking.save(update_fields=[*fields, "updated_at"])
    booking_notify_cancelled(booking=booking)
    return booking


def no_show_refund_percent(booking: Booking) -> int:
    """A no-show is treated as a cancellation at the moment the session started: the
    policy's last-minute tier (one with hours_before 0) applies, usually nothing."""
    return booking.service.refund_percent_for(hours_before=0)


@transaction.atomic
def booking_mark_no_show(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """The practitioner reports that the client did not come to a confirmed session that
    has started. The service's policy for a no-show (its tier at 0 hours) gives back its
    share the way a cancellation does (a Stripe refund that also takes the share back
    from the practitioner's destination charge, credits or allowance to their lots, a
    sponsor draw only when it is 100%); for bookings not paid by card the practitioner is
    paid the rest. The booking is never completed afterwards. The client is emailed.
    Repeating it returns the booking unchanged; before the start, or for a booking that
    is not confirmed → Conflict "no_show_not_allowed"."""
    now = timezone.now() if now is None else now
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service", "practitioner", "payment", "credit_spend", "pool_draw")
        .get(pk=booking.pk)
    )
    if booking.status == Status.NO_SHOW:
        return booking
    if booking.status != Status.CONFIRMED:
        raise Conflict(
            f"This booking is {booking.get_status_display().lower()}.",
            code="no_show_not_allowed",
        )
    if booking.starts_at > now:
        raise Conflict(
            "A no-show can be reported once the session has started.",
            code="no_show_not_allowed",
        )
    percent = no_show_refund_percent(booking)
    booking.status = Status.NO_SHOW
    booking.no_show_at = now
    booking.refund_percent = percent
    booking.refund_amount = _give_back(
        booking, percent=percent, by=by, source_type=NO_SHOW_SOURCE_TYPE, why="No-show"
    )
    _pay_practitioner(
        booking, percent=100 - percent, description=f"No-show for {booking.service.name}"
    )
    booking.save(
        update_fields=["status", "no_show_at", "refund_percent", "refund_amount", "updated_at"]
    )
    booking_notify_no_show(booking=booking)
    return booking


def bookings_expire_holds(*, now: datetime | None = None) -> int:
    """Ends every hold whose time ran out (one statement; a second run finds none).
    A card payment that completes later is refunded or re-confirmed by its handler."""
    now = timezone.now() if now is None else now
    return Booking.objects.filter(status=Status.HELD, hold_expires_at__lte=now).update(
        status=Status.EXPIRED, updated_at=now
    )


@transaction.atomic
def _complete(*, booking_id: int, now: datetime) -> bool:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service", "practitioner")
        .get(pk=booking_id)
    )
    if booking.status != Status.CONFIRMED or booking.ends_at > now - NO_SHOW_WINDOW:
        return False
    booking_mark_completed(booking=booking, now=now)
    return True


def booking_mark_completed(*, booking: Booking, now: datetime, how: str = "") -> None:
    """Completes a confirmed booking the caller holds locked (select_for_update) and pays
    the practitioner for a session not paid by card. `how` is added to the transfer's
    description ("by phone"). Callers check the booking is CONFIRMED first."""
    booking.status = Status.COMPLETED
    booking.completed_at = now
    booking.save(update_fields=["status", "completed_at", "updated_at"])
    description = f"{booking.service.name} ({how})" if how else booking.service.name
    _pay_practitioner(booking, percent=100, description=description)


def bookings_complete_past(*, now: datetime | None = None) -> int:
    """Marks confirmed bookings whose session ended at least NO_SHOW_WINDOW ago as
    completed and pays the practitioner for those not paid by card: one transaction per
    booking, so a failure keeps the others and a second run does nothing more. Returns
    how many completed."""
    now = timezone.now() if now is None else now
    due = list(
        Booking.objects.filter(status=Status.CONFIRMED, ends_at__lte=now - NO_SHOW_WINDOW)
        .order_by("ends_at", "pk")
        .values_list("pk", flat=True)
    )
    return sum(_complete(booking_id=booking_id, now=now) for booking_id in due)
