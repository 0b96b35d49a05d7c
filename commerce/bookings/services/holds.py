"""Holding a slot and paying for it.

A booking starts as a hold (BOOKING_HOLD_MINUTES) and becomes confirmed when it is paid:
credits spent, the membership allowance spent, a sponsor pool drawn, or a card payment
reported paid by Stripe. A member paying by card is charged the service's member price.

No double booking (DESIGN.md §3): every write that makes a booking live runs in one
transaction that checks for overlapping live bookings and then writes. On SQLite that
transaction is BEGIN IMMEDIATE, so writers take turns and the check is exact. On
PostgreSQL two transactions can both pass the check; the exclusion constraint then
refuses the second insert, which `_translate_overlap` turns into Conflict "slot_taken".
The code is the same on both.
"""

from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from commerce.bookings.directory import member_price, person_zone
from commerce.bookings.models import BOOKING_OVERLAP_CONSTRAINT, Booking
from commerce.bookings.notifications import booking_notify_confirmed
from commerce.bookings.selectors import slots_for_service
from commerce.credits.models import CreditTransaction
from commerce.credits.services import credits_spend
from commerce.errors import CommerceError, Conflict, InsufficientCredits, InvalidRequest, NotFound
from commerce.memberships.selectors import membership_current
from commerce.partners.models import SponsorPool
from commerce.partners.selectors import pool_eligible_for
from commerce.partners.services import pool_draw
from commerce.payments.models import ConnectedAccount, Payment
from commerce.payments.services import payment_checkout_create, refund_create
from integrations.klaviyo.events import track_event_on_commit
from marketplace.clients.consent.services import consent_require_for_booking
from marketplace.clients.records.services import care_record_open
from marketplace.practitioners.models import Service
from marketplace.practitioners.selectors import services_bookable

BOOKING_HOLD_MINUTES = 10
BOOKING_SOURCE_TYPE = "booking"

PayWith = Booking.PayWith
Status = Booking.Status

T = TypeVar("T")


def hold_duration() -> timedelta:
    return timedelta(minutes=getattr(settings, "BOOKING_HOLD_MINUTES", BOOKING_HOLD_MINUTES))


# ---------- overlap ----------


@contextmanager
def _translate_overlap():
    """The exclusion constraint's refusal is a taken slot; any other integrity error is
    a bug and stays one."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if BOOKING_OVERLAP_CONSTRAINT in str(error):
            raise Conflict("This time has just been booked.", code="slot_taken") from error
        raise


def _overlapping_live(*, practitioner_id: int, blocked_start: datetime, blocked_end: datetime):
    return Booking.objects.filter(
        practitioner_id=practitioner_id,
        status__in=Booking.LIVE_STATUSES,
        blocked_start__lt=blocked_end,
        blocked_end__gt=blocked_start,
    )


def _expire_stale_holds(
    *, practitioner_id: int, blocked_start: datetime, blocked_end: datetime, now: datetime
) -> int:
    """Ends holds whose time ran out that stand in the way, so a lapsed hold frees its
    slot at once rather than when the sweeper next runs."""
    return (
        _overlapping_live(
            practitioner_id=practitioner_id, blocked_start=blocked_start, blocked_end=blocked_end
        )
        .filter(status=Status.HELD, hold_expires_at__lte=now)
        .update(status=Status.EXPIRED, updated_at=now)
    )


def _blocked_range(service: Service, starts_at: datetime) -> tuple[datetime, datetime, datetime]:
    ends_at = starts_at + timedelta(minutes=service.duration_minutes)
    return (
        ends_at,
        starts_at - timedelta(minutes=service.buffer_before_minutes),
        ends_at + timedelta(minutes=service.buffer_after_minutes),
    )


# ---------- hold ----------


def allowance_price(service: Service) -> int:
    """Allowance credits one session costs: the service's credit price, or one credit
    (one session) when it has none."""
    return service.credit_price or 1


def card_price_for(*, service: Service, client: User) -> int | None:
    """The card price this person pays: for a current member the price their profile
    shows (directory.member_price: the service's member price, or the list price less
    the plan's discount), otherwise the list price."""
    if service.price is None or not client.is_authenticated:
        return service.price
    membership = membership_current(user=client)
    if membership is None:
        return service.price
    price = member_price(service=service, discount_percent=membership.plan.member_discount_percent)
    return service.price if price is None else min(price, service.price)


def _price_snapshot(service: Service, pay_with: str, *, client: User) -> dict:
    """What the booking costs in the chosen method; refuses methods the service does not
    take. `price_amount` is what a card is charged (the member price for members) and,
    for other methods, the list price the practitioner is paid out on."""
    accepted = {
        PayWith.CARD: service.accepts_card and bool(service.price),
        PayWith.CREDITS: service.accepts_credits and bool(service.credit_price),
        PayWith.SPONSOR: service.accepts_sponsor,
        PayWith.MEMBERSHIP: service.accepts_membership,
    }
    if pay_with not in PayWith.values:
        raise InvalidRequest(
            "pay_with must be card, credits, membership or sponsor.", code="invalid_pay_with"
        )
    if not accepted[PayWith(pay_with)]:
        raise InvalidRequest(
            f"This service cannot be paid with {pay_with}.", code="payment_method_not_accepted"
        )
    amount = service.price
    if pay_with == PayWith.CARD:
        amount = card_price_for(service=service, client=client)
    credit_cost = {
        PayWith.CREDITS: service.credit_price,
        PayWith.MEMBERSHIP: allowance_price(service),
    }.get(PayWith(pay_with))
    return {
        "price_amount": amount,
        "price_currency": service.currency if amount is not None else "",
        "price_credits": credit_cost,
    }


def session_label(booking: Booking) -> str:
    """What the client's checkout page and credit statement call a session: "<service>
    on <date> <time> (<zone>)", in the client's own zone, else the practitioner's,
    named (never a bare UTC time)."""
    zone = person_zone(booking.client) or booking.service.practitioner.zone
    when = booking.starts_at.astimezone(zone)
    return f"{booking.service.name} on {when:%d %b %Y %H:%M} ({zone.key})"


def require_slot_offered(
    *, service: Service, starts_at: datetime, now: datetime, busy: list[tuple[datetime, datetime]]
) -> None:
    """Refuses a start the service does not offer at `now` given the `busy` intervals the
    caller read: 409 "slot_taken" when something else now holds it, "slot_unavailable"
    when it was never on offer (outside hours, too soon, not on the grid)."""
    offered = slots_for_service(
        service=service,
        start=starts_at,
        end=starts_at + timedelta.resolution,
        now=now,
        busy=busy,
    )
    if not offered or offered[0].starts_at != starts_at:
        if busy:
            raise Conflict("This time has just been booked.", code="slot_taken")
        raise Conflict("This time is not available.", code="slot_unavailable")


@transaction.atomic
def booking_hold(
    *,
    client: User,
    service: Service,
    starts_at: datetime,
    pay_with: str,
    now: datetime | None = None,
) -> Booking:
    """Holds `starts_at` of `service` for the client for BOOKING_HOLD_MINUTES while they
    pay. The start must be one of the service's bookable slots at this moment (rules,
    overrides, time off, busy times, notice and advance, and the live bookings).

    The client must have signed the current consent documents a booking needs (the
    treatment agreement; for an online service also the telehealth consent): a new
    version, a withdrawal or no signature at all → ConsentRequired (409
    "consent_required", with the documents to sign).

    Errors: the service or its practitioner is not bookable → NotFound; a naive time, a
    payment method the service does not take, or booking oneself → InvalidRequest; a
    slot another booking holds → Conflict "slot_taken"; a time that is not offered →
    Conflict "slot_unavailable"."""
    now = timezone.now() if now is None else now
    if timezone.is_naive(starts_at):
        raise InvalidRequest("start needs a UTC offset.", code="invalid_datetime")
    bookable = services_bookable().select_related("practitioner").filter(pk=service.pk).first()
    if bookable is None:
        raise NotFound("No such service.")
    service = bookable
    if service.practitioner.user_id == client.pk:
        raise InvalidRequest("You cannot book your own service.", code="own_service")
    prices = _price_snapshot(service, pay_with, client=client)
    consent_require_for_booking(
        client=client, practitioner=service.practitioner, online=service.is_online
    )
    ends_at, blocked_start, blocked_end = _blocked_range(service, starts_at)
    practitioner_id = service.practitioner_id

    _expire_stale_holds(
        practitioner_id=practitioner_id,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        now=now,
    )
    busy = list(
        _overlapping_live(
            practitioner_id=practitioner_id, blocked_start=blocked_start, blocked_end=blocked_end
        ).values_list("blocked_start", "blocked_end")
    )
    require_slot_offered(service=service, starts_at=starts_at, now=now, busy=busy)

    with _translate_overlap():
        return Booking.objects.create(
            client=client,
            service=service,
            practitioner_id=practitioner_id,
            starts_at=starts_at,
            ends_at=ends_at,
            blocked_start=blocked_start,
            blocked_end=blocked_end,
            status=Status.HELD,
            hold_expires_at=now + hold_duration(),
            pay_with=pay_with,
            **prices,
        )


def _lock(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service", "service__practitioner", "client")
        .get(pk=booking.pk)
    )


def _require_open_hold(booking: Booking, *, now: datetime) -> None:
    if booking.status != Status.HELD:
        raise Conflict(f"This booking is {booking.get_status_display().lower()}.", code="not_held")
    # A hold always has an expiry (check constraint bookings_booking_hold_has_expiry).
    if booking.hold_expires_at is None or booking.hold_expires_at <= now:
        raise Conflict("The hold on this time has run out.", code="hold_expired")


@transaction.atomic
def booking_release_hold(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Ends a hold that will not be paid (idempotent: anything but a hold is left alone)."""
    now = timezone.now() if now is None else now
    booking = _lock(booking)
    if booking.status == Status.HELD:
        booking.status = Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
    return booking


def _confirm(booking: Booking, *, now: datetime, **fields) -> Booking:
    booking.status = Status.CONFIRMED
    booking.confirmed_at = now
    for name, value in fields.items():
        setattr(booking, name, value)
    booking.save(update_fields=["status", "confirmed_at", *fields, "updated_at"])
    # Confirmation emails (with the ICS) go out after commit, once per booking.
    booking_notify_confirmed(booking=booking)
    _track_session_booked(booking)
    # The pair's first confirmed booking opens their care record (idempotent); each one
    # moves the record's retention clock to its session.
    care_record_open(
        client=booking.client,
        practitioner=booking.practitioner,
        booking_id=booking.pk,
        contact_at=booking.ends_at,
    )
    return booking


def _track_session_booked(booking: Booking) -> None:
    """ "Session Booked" for marketing, after commit: what was booked and when, never
    anything about the client's health or intake. Klaviyo keeps one event per booking
    (unique_id), however often this runs."""
    track_event_on_commit(
        email=booking.client.email,
        metric="Session Booked",
        properties={
            "booking_reference": str(booking.pk),
            "service_name": booking.service.name,
            "practitioner_name": booking.service.practitioner.display_name,
            "starts_at": booking.starts_at.isoformat(),
            "duration_minutes": booking.service.duration_minutes,
        },
        unique_id=f"booking-{booking.pk}-confirmed",
    )


def _confirm_or_release(confirm: Callable[[], T], *, booking: Booking) -> T:
    """Runs a confirmation; if it cannot be paid the hold is released (in its own
    transaction, after the failed one rolled back) and the error raised."""
    try:
        return confirm()
    except CommerceError as error:
        if error.api_code not in ("not_held", "hold_expired"):
            booking_release_hold(booking=booking)
        raise


def booking_confirm_with_credits(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Pays a held booking with the client's credits (source ("booking", id), so a retry
    spends once). Too few credits → InsufficientCredits (402) and the hold is released."""

    @transaction.atomic
    def confirm() -> Booking:
        moment = timezone.now() if now is None else now
        locked = _lock(booking)
        if locked.status == Status.CONFIRMED and locked.credit_spend_id:
            return locked
        _require_open_hold(locked, now=moment)
        if locked.pay_with != PayWith.CREDITS or not locked.price_credits:
            raise Conflict("This booking is not paid with credits.", code="wrong_payment_method")
        spend = credits_spend(
            user=locked.client,
            amount=locked.price_credits,
            source_type=BOOKING_SOURCE_TYPE,
            source_id=str(locked.pk),
            memo=session_label(locked),
        )
        return _confirm(locked, now=moment, credit_spend=spend)

    return _confirm_or_release(confirm, booking=booking)


def booking_confirm_with_membership(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Pays a held booking from the client's membership allowance: only credits granted
    as an allowance (per paid membership invoice, expiring at the period end) are spent,
    source ("booking", id), so a retry spends once. Without a current membership → 402
    "membership_required"; allowance used up → 402 "insufficient_allowance"; either way
    the hold is released."""

    @transaction.atomic
    def confirm() -> Booking:
        moment = timezone.now() if now is None else now
        locked = _lock(booking)
        if locked.status == Status.CONFIRMED and locked.credit_spend_id:
            return locked
        _require_open_hold(locked, now=moment)
        if locked.pay_with != PayWith.MEMBERSHIP or not locked.price_credits:
            raise Conflict(
                "This booking is not paid with a membership.", code="wrong_payment_method"
            )
        if membership_current(user=locked.client) is None:
            raise InsufficientCredits(
                "You need a current membership to use a membership allowance.",
                code="membership_required",
            )
        try:
            spend = credits_spend(
                user=locked.client,
                amount=locked.price_credits,
                source_type=BOOKING_SOURCE_TYPE,
                source_id=str(locked.pk),
                memo=session_label(locked),
                grant_kinds=[CreditTransaction.Kind.ALLOWANCE],
            )
        except InsufficientCredits as error:
            raise InsufficientCredits(
                "Your membership allowance for this period is used up.",
                code="insufficient_allowance",
            ) from error
        return _confirm(locked, now=moment, credit_spend=spend)

    return _confirm_or_release(confirm, booking=booking)


def _sponsor_pool_for(booking: Booking) -> tuple[SponsorPool, int] | None:
    """The first pool that can pay for this session: a session pool (one unit), or a
    credit pool for the service's credit price."""
    for pool in pool_eligible_for(user=booking.client):
        if pool.unit == SponsorPool.Unit.SESSION:
            units = 1
        elif booking.service.credit_price:
            units = booking.service.credit_price
        else:
            continue
        if pool.client_remaining >= units and pool.units_remaining >= units:
            return pool, units
    return None


def booking_confirm_with_sponsor(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Pays a held booking from a partner's pool the client is enrolled in (pool_draw,
    source ("booking", id)). No pool can pay → 402 "no_sponsorship" and the hold is
    released."""

    @transaction.atomic
    def confirm() -> Booking:
        moment = timezone.now() if now is None else now
        locked = _lock(booking)
        if locked.status == Status.CONFIRMED and locked.pool_draw_id:
            return locked
        _require_open_hold(locked, now=moment)
        if locked.pay_with != PayWith.SPONSOR:
            raise Conflict("This booking is not paid by a sponsor.", code="wrong_payment_method")
        found = _sponsor_pool_for(locked)
        if found is None:
            raise InsufficientCredits(
                "No sponsorship you can use covers this session.", code="no_sponsorship"
            )
        pool, units = found
        draw = pool_draw(
            pool=pool,
            user=locked.client,
            units=units,
            source_type=BOOKING_SOURCE_TYPE,
            source_id=str(locked.pk),
        )
        return _confirm(locked, now=moment, pool_draw=draw)

    return _confirm_or_release(confirm, booking=booking)


def booking_start_card_checkout(
    *, booking: Booking, success_url: str, cancel_url: str, now: datetime | None = None
) -> Payment:
    """Opens a Stripe Checkout for a held card booking: a destination charge to the
    practitioner's connected account. Without a payout-ready account → Conflict
    "payouts_not_ready" and the hold is released. The booking is confirmed when Stripe
    reports the payment (booking_handlers)."""

    @transaction.atomic
    def start() -> Payment:
        moment = timezone.now() if now is None else now
        locked = _lock(booking)
        if locked.payment is not None:
            return locked.payment
        _require_open_hold(locked, now=moment)
        if locked.pay_with != PayWith.CARD or not locked.price_amount:
            raise Conflict("This booking is not paid by card.", code="wrong_payment_method")
        account = ConnectedAccount.objects.filter(
            owner_id=locked.service.practitioner.user_id
        ).first()
        if account is None or not account.charges_enabled:
            raise Conflict(
                "This practitioner cannot take card payments yet.", code="payouts_not_ready"
            )
        payment = payment_checkout_create(
            user=locked.client,
            purpose=Payment.Purpose.BOOKING,
            description=session_label(locked)[:200],
            amount=locked.price_amount,
            currency=locked.price_currency,
            success_url=success_url,
            cancel_url=cancel_url,
            destination=account,
            source_type=BOOKING_SOURCE_TYPE,
            source_id=str(locked.pk),
        )
        locked.payment = payment
        locked.save(update_fields=["payment", "updated_at"])
        return payment

    return _confirm_or_release(start, booking=booking)


def _refund_in_full(booking: Booking, *, payment: Payment, note: str) -> None:
    """Gives a card payment (the booking's) back when the booking it paid for cannot
    happen."""
    if booking.refund_amount:
        return
    try:
        refund = refund_create(
            payment=payment,
            amount=None,
            reason="requested_by_customer",
            note=note,
            created_by=None,
        )
    except Conflict:
        return  # already refunded in full
    booking.refund_percent = 100
    booking.refund_amount = refund.amount
    booking.save(update_fields=["refund_percent", "refund_amount", "updated_at"])


@transaction.atomic
def booking_record_card_paid(*, payment: Payment, now: datetime | None = None) -> Booking | None:
    """Stripe says the booking's card payment is paid: confirm it. Converges whatever
    happened meanwhile: a hold that ran out is confirmed if its time is still free, and
    otherwise (taken by someone else, or the booking was cancelled) the payment is
    refunded in full and the booking stays ended. Idempotent."""
    now = timezone.now() if now is None else now
    booking = Booking.objects.filter(payment=payment).first()
    if booking is None or payment.paid_at is None:
        return booking
    booking = _lock(booking)
    if booking.status in (Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW):
        return booking
    if booking.status == Status.HELD:
        # Still held (even past its expiry): nobody else can have its time.
        return _confirm(booking, now=now)
    if booking.status == Status.EXPIRED:
        _expire_stale_holds(
            practitioner_id=booking.practitioner_id,
            blocked_start=booking.blocked_start,
            blocked_end=booking.blocked_end,
            now=now,
        )
        taken = _overlapping_live(
            practitioner_id=booking.practitioner_id,
            blocked_start=booking.blocked_start,
            blocked_end=booking.blocked_end,
        ).exists()
        if not taken and booking.starts_at > now:
            try:
                with _translate_overlap():
                    return _confirm(booking, now=now)
            except Conflict:
                booking.status = Status.EXPIRED
        _refund_in_full(
            booking, payment=payment, note="Paid after the hold ran out and the time was taken."
        )
        return booking
    # Cancelled before the payment went through.
    _refund_in_full(booking, payment=payment, note="Paid for a booking that was already cancelled.")
    return booking
