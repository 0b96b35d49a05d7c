"""The booking lifecycle: holds, payment by credits, sponsor pool or card (through the
offline Stripe), cancellation tiers, expiry and completion."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from commerce.bookings.models import Booking
from commerce.bookings.services import (
    NO_SHOW_WINDOW,
    booking_cancel,
    booking_confirm_with_credits,
    booking_confirm_with_sponsor,
    booking_hold,
    booking_record_card_paid,
    booking_start_card_checkout,
    bookings_complete_past,
    bookings_expire_holds,
)
from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_balance
from commerce.errors import Conflict, InsufficientCredits, InvalidRequest, NotFound
from commerce.partners.models import PoolDraw
from commerce.payments.models import Payment, Refund, Transfer
from integrations.stripe.local import StripeLocalGateway, simulator
from marketplace.practitioners.models import PractitionerProfile
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import (
    CREDIT_PRICE,
    PRICE,
    bookable_service,
    onboard_payouts,
    slot,
)
from tests.commerce.credits.factories import give_credits
from tests.commerce.partners.factories import SponsorPoolFactory, enrolled_client

pytestmark = pytest.mark.django_db

Status = Booking.Status


@pytest.fixture(autouse=True)
def _offline_stripe():
    StripeLocalGateway.reset()
    yield
    StripeLocalGateway.reset()


@pytest.fixture
def service():
    return bookable_service()


@pytest.fixture
def client_with_credits():
    user = UserFactory()
    give_credits(user=user, amount=10)
    return user


def book_with_credits(service, user, starts_at=None, **kwargs):
    booking = booking_hold(
        client=user, service=service, starts_at=starts_at or slot(), pay_with="credits", **kwargs
    )
    return booking_confirm_with_credits(booking=booking)


def test_a_hold_paid_with_credits_is_confirmed_and_spends_once(service, client_with_credits):
    booking = booking_hold(
        client=client_with_credits, service=service, starts_at=slot(), pay_with="credits"
    )
    assert booking.status == Status.HELD
    assert booking.hold_expires_at is not None
    assert booking.ends_at == slot() + dt.timedelta(hours=1)
    assert (booking.blocked_start, booking.blocked_end) == (
        slot(),
        slot() + dt.timedelta(minutes=75),
    )
    assert booking.practitioner_id == service.practitioner_id
    assert (booking.price_credits, booking.price_amount, booking.price_currency) == (
        CREDIT_PRICE,
        PRICE,
        "GBP",
    )

    booking = booking_confirm_with_credits(booking=booking)
    again = booking_confirm_with_credits(booking=booking)

    assert booking.status == again.status == Status.CONFIRMED
    assert booking.credit_spend.source_type == "booking"
    assert booking.credit_spend.source_id == str(booking.pk)
    assert credits_balance(user=client_with_credits) == 10 - CREDIT_PRICE
    assert CreditTransaction.objects.filter(kind=CreditTransaction.Kind.SPEND).count() == 1


def test_a_booked_time_and_its_buffer_are_taken(service, client_with_credits):
    book_with_credits(service, client_with_credits)
    other = UserFactory()
    for starts_at in (slot(), slot(hour=11)):  # 11:00 falls in the 15-minute buffer
        with pytest.raises(Conflict) as refused:
            booking_hold(client=other, service=service, starts_at=starts_at, pay_with="card")
        assert refused.value.api_code == "slot_taken"
    booking_hold(client=other, service=service, starts_at=slot(hour=12), pay_with="card")


def test_another_service_of_the_same_practitioner_cannot_overlap(service, client_with_credits):
    book_with_credits(service, client_with_credits)
    longer = bookable_service(practitioner=service.practitioner, duration_minutes=120)
    with pytest.raises(Conflict) as refused:
        booking_hold(client=UserFactory(), service=longer, starts_at=slot(hour=9), pay_with="card")
    assert refused.value.api_code == "slot_taken"


@pytest.mark.parametrize(
    "starts_at",
    [
        slot(hour=8),  # before opening
        slot(hour=10) + dt.timedelta(minutes=30),  # off the grid
        slot(days=-1),  # in the past
        slot(days=200),  # beyond the advance limit
    ],
)
def test_a_time_that_is_not_offered_is_unavailable(service, starts_at):
    with pytest.raises(Conflict) as refused:
        booking_hold(client=UserFactory(), service=service, starts_at=starts_at, pay_with="card")
    assert refused.value.api_code == "slot_unavailable"
    assert not Booking.objects.exists()


def test_minimum_notice_applies(client_with_credits):
    service = bookable_service(minimum_notice_minutes=7 * 24 * 60)
    with pytest.raises(Conflict):
        booking_hold(client=client_with_credits, service=service, starts_at=slot(), pay_with="card")


def test_payment_methods_the_service_does_not_take_are_refused(client_with_credits):
    service = bookable_service(accepts_credits=False, accepts_sponsor=False)
    for pay_with in ("credits", "sponsor", "membership"):
        with pytest.raises(InvalidRequest) as refused:
            booking_hold(
                client=client_with_credits, service=service, starts_at=slot(), pay_with=pay_with
            )
        assert refused.value.api_code == "payment_method_not_accepted"
    with pytest.raises(InvalidRequest):
        booking_hold(client=client_with_credits, service=service, starts_at=slot(), pay_with="iou")


def test_unbookable_services_are_not_found(service):
    PractitionerProfile.objects.filter(pk=service.practitioner_id).update(status="suspended")
    with pytest.raises(NotFound):
        booking_hold(client=UserFactory(), service=service, starts_at=slot(), pay_with="card")


def test_a_practitioner_cannot_book_themselves(service):
    with pytest.raises(InvalidRequest):
        booking_hold(
            client=service.practitioner.user, service=service, starts_at=slot(), pay_with="card"
        )


def test_too_few_credits_is_402_and_releases_the_hold(service):
    poor = UserFactory()
    give_credits(user=poor, amount=CREDIT_PRICE - 1)
    booking = booking_hold(client=poor, service=service, starts_at=slot(), pay_with="credits")
    with pytest.raises(InsufficientCredits):
        booking_confirm_with_credits(booking=booking)
    booking.refresh_from_db()
    assert booking.status == Status.EXPIRED
    assert credits_balance(user=poor) == CREDIT_PRICE - 1
    # The time is free again at once.
    rich = UserFactory()
    give_credits(user=rich, amount=10)
    assert book_with_credits(service, rich).status == Status.CONFIRMED


def test_an_expired_hold_frees_the_slot_and_cannot_be_paid(service, client_with_credits):
    start = dt.datetime.now(dt.UTC)
    first = booking_hold(
        client=client_with_credits, service=service, starts_at=slot(), pay_with="credits", now=start
    )
    later = start + dt.timedelta(minutes=11)
    second = booking_hold(
        client=UserFactory(), service=service, starts_at=slot(), pay_with="card", now=later
    )
    first.refresh_from_db()
    assert first.status == Status.EXPIRED
    assert second.status == Status.HELD
    with pytest.raises(Conflict) as refused:
        booking_confirm_with_credits(booking=first)
    assert refused.value.api_code == "not_held"
    assert credits_balance(user=client_with_credits) == 10


def test_the_sweeper_expires_only_holds_whose_time_ran_out(service, client_with_credits):
    now = dt.datetime.now(dt.UTC)
    held = booking_hold(
        client=UserFactory(), service=service, starts_at=slot(hour=9), pay_with="card", now=now
    )
    confirmed = book_with_credits(service, client_with_credits, starts_at=slot(hour=12), now=now)
    assert bookings_expire_holds(now=now + dt.timedelta(minutes=9)) == 0
    assert bookings_expire_holds(now=now + dt.timedelta(minutes=10)) == 1
    assert bookings_expire_holds(now=now + dt.timedelta(minutes=10)) == 0
    held.refresh_from_db()
    confirmed.refresh_from_db()
    assert (held.status, confirmed.status) == (Status.EXPIRED, Status.CONFIRMED)


@pytest.mark.parametrize(
    ("hours_before", "percent", "credits_back"),
    [(48, 100, CREDIT_PRICE), (24, 100, CREDIT_PRICE), (12, 50, 2), (2, 50, 2), (1, 0, 0)],
)
def test_a_client_cancelling_gets_the_tiers_share_of_credits_back(
    service, client_with_credits, hours_before, percent, credits_back
):
    booking = book_with_credits(service, client_with_credits)
    cancelled = booking_cancel(
        booking=booking,
        by=client_with_credits,
        reason="Cannot make it",
        now=booking.starts_at - dt.timedelta(hours=hours_before),
    )
    assert cancelled.status == Status.CANCELLED
    assert (cancelled.refund_percent, cancelled.refund_amount) == (percent, credits_back)
    assert cancelled.cancelled_by == client_with_credits
    assert credits_balance(user=client_with_credits) == 10 - CREDIT_PRICE + credits_back
    # Cancelling again changes nothing.
    booking_cancel(booking=booking, by=client_with_credits)
    assert credits_balance(user=client_with_credits) == 10 - CREDIT_PRICE + credits_back


def test_a_practitioner_cancelling_gives_everything_back(service, client_with_credits):
    booking = book_with_credits(service, client_with_credits)
    booking_cancel(
        booking=booking,
        by=service.practitioner.user,
        now=booking.starts_at - dt.timedelta(minutes=30),
    )
    assert credits_balance(user=client_with_credits) == 10


def test_a_started_or_ended_booking_cannot_be_cancelled(service, client_with_credits):
    booking = book_with_credits(service, client_with_credits)
    with pytest.raises(Conflict) as refused:
        booking_cancel(booking=booking, by=client_with_credits, now=booking.starts_at)
    assert refused.value.api_code == "not_cancellable"


def test_cancelling_a_hold_releases_it_without_refund(service):
    booking = booking_hold(client=UserFactory(), service=service, starts_at=slot(), pay_with="card")
    cancelled = booking_cancel(booking=booking, by=booking.client)
    assert cancelled.status == Status.CANCELLED
    assert cancelled.refund_amount is None


# ---------- sponsor ----------


def test_a_sponsored_booking_draws_once_and_an_early_cancellation_returns_the_draw(service):
    pool = SponsorPoolFactory(units_funded=5, per_client_cap=2)
    user = enrolled_client(pool)
    booking = booking_hold(client=user, service=service, starts_at=slot(), pay_with="sponsor")
    booking = booking_confirm_with_sponsor(booking=booking)
    booking_confirm_with_sponsor(booking=booking)
    pool.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert pool.units_used == 1
    assert (booking.pool_draw.source_type, booking.pool_draw.source_id) == (
        "booking",
        str(booking.pk),
    )

    booking_cancel(booking=booking, by=user, now=booking.starts_at - dt.timedelta(hours=30))
    pool.refresh_from_db()
    assert pool.units_used == 0
    assert PoolDraw.objects.get().is_reversed


def test_a_late_sponsored_cancellation_keeps_the_draw(service):
    pool = SponsorPoolFactory()
    user = enrolled_client(pool)
    booking = booking_confirm_with_sponsor(
        booking=booking_hold(client=user, service=service, starts_at=slot(), pay_with="sponsor")
    )
    booking_cancel(booking=booking, by=user, now=booking.starts_at - dt.timedelta(hours=3))
    pool.refresh_from_db()
    assert pool.units_used == 1


def test_without_a_sponsorship_the_hold_is_released_with_402(service):
    booking = booking_hold(
        client=UserFactory(), service=service, starts_at=slot(), pay_with="sponsor"
    )
    with pytest.raises(InsufficientCredits) as refused:
        booking_confirm_with_sponsor(booking=booking)
    assert refused.value.api_code == "no_sponsorship"
    booking.refresh_from_db()
    assert booking.status == Status.EXPIRED


# ---------- card ----------


def _card_booking(service, capture, *, starts_at=None, now=None):
    onboard_payouts(service.practitioner.user, capture)
    booking = booking_hold(
        client=UserFactory(),
        service=service,
        starts_at=starts_at or slot(),
        pay_with="card",
        now=now,
    )
    payment = booking_start_card_checkout(
        booking=booking, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    return booking, payment


def _pay(payment, capture):
    with capture(execute=True):
        simulator.checkout_pay(payment.checkout_session_id)
    payment.refresh_from_db()


def test_a_card_booking_is_confirmed_when_stripe_reports_the_payment(
    service, django_capture_on_commit_callbacks
):
    booking, payment = _card_booking(service, django_capture_on_commit_callbacks)
    assert payment.purpose == Payment.Purpose.BOOKING
    assert payment.amount == PRICE
    assert payment.destination.owner == service.practitioner.user
    assert (payment.source_type, payment.source_id) == ("booking", str(booking.pk))

    _pay(payment, django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert booking.status == Status.CONFIRMED
    # A repeated report changes nothing.
    booking_record_card_paid(payment=payment)
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert not Refund.objects.exists()


def test_card_needs_a_payout_account_and_the_hold_is_released(service):
    booking = booking_hold(client=UserFactory(), service=service, starts_at=slot(), pay_with="card")
    with pytest.raises(Conflict) as refused:
        booking_start_card_checkout(
            booking=booking, success_url="http://t/", cancel_url="http://t/"
        )
    assert refused.value.api_code == "payouts_not_ready"
    booking.refresh_from_db()
    assert booking.status == Status.EXPIRED


@pytest.mark.parametrize(("hours_before", "refunded"), [(48, PRICE), (12, PRICE // 2), (1, 0)])
def test_a_card_cancellation_refunds_the_tiers_share_through_stripe(
    service, django_capture_on_commit_callbacks, hours_before, refunded
):
    booking, payment = _card_booking(service, django_capture_on_commit_callbacks)
    _pay(payment, django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(
            booking=booking,
            by=booking.client,
            now=booking.starts_at - dt.timedelta(hours=hours_before),
        )
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.refund_amount == refunded
    assert payment.amount_refunded == refunded
    if refunded:
        refund = Refund.objects.get()
        assert (refund.amount, refund.status) == (refunded, Refund.Status.SUCCEEDED)
        call = next(c for c in StripeLocalGateway.calls if c.method == "create_refund")
        assert call.kwargs["amount"] == refunded
        assert call.kwargs["reverse_transfer"] is True
    else:
        assert not Refund.objects.exists()


def test_paid_after_the_hold_ran_out_and_the_time_was_taken_is_refunded_in_full(
    service, django_capture_on_commit_callbacks
):
    start = dt.datetime.now(dt.UTC)
    booking, payment = _card_booking(service, django_capture_on_commit_callbacks, now=start)
    rival = UserFactory()
    give_credits(user=rival, amount=10)
    booking_confirm_with_credits(
        booking=booking_hold(
            client=rival,
            service=service,
            starts_at=slot(),
            pay_with="credits",
            now=start + dt.timedelta(minutes=11),
        )
    )
    _pay(payment, django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    assert booking.status == Status.EXPIRED
    assert (booking.refund_percent, booking.refund_amount) == (100, PRICE)
    assert payment.status == Payment.Status.REFUNDED
    # The report arriving again refunds nothing more.
    booking_record_card_paid(payment=payment)
    assert Refund.objects.count() == 1


def test_paid_after_the_hold_ran_out_with_the_time_still_free_is_confirmed(
    service, django_capture_on_commit_callbacks
):
    booking, payment = _card_booking(service, django_capture_on_commit_callbacks)
    bookings_expire_holds(now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11))
    _pay(payment, django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert not Refund.objects.exists()


# ---------- completion ----------


def test_completed_sessions_pay_the_practitioner_once(service, django_capture_on_commit_callbacks):
    account = onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    user = UserFactory()
    give_credits(user=user, amount=10)
    booking = book_with_credits(service, user)
    # Not at its end: the practitioner has NO_SHOW_WINDOW to report a no-show first.
    assert bookings_complete_past(now=booking.ends_at) == 0
    due = booking.ends_at + NO_SHOW_WINDOW
    assert bookings_complete_past(now=due - dt.timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert bookings_complete_past(now=due) == 1
    assert bookings_complete_past(now=due + dt.timedelta(days=1)) == 0
    booking.refresh_from_db()
    assert booking.status == Status.COMPLETED
    transfer = Transfer.objects.get()
    assert (transfer.destination, transfer.gross_amount, transfer.source_id) == (
        account,
        PRICE,
        str(booking.pk),
    )
    assert transfer.status == Transfer.Status.CREATED


def test_completed_card_sessions_are_not_paid_twice(service, django_capture_on_commit_callbacks):
    booking, payment = _card_booking(service, django_capture_on_commit_callbacks)
    _pay(payment, django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    assert bookings_complete_past(now=booking.ends_at + NO_SHOW_WINDOW) == 1
    assert not Transfer.objects.exists()


# ---------- the database's own guarantee ----------


def test_the_exclusion_constraint_exists_exactly_where_the_database_can_hold_it():
    """PostgreSQL holds the no-overlap rule itself; SQLite has no exclusion constraints,
    so there the service's serialised write transaction is the guarantee (tested with
    real threads in test_booking_concurrency.py)."""
    with connection.cursor() as cursor:
        names = {
            name
            for name in connection.introspection.get_constraints(cursor, Booking._meta.db_table)
        }
    assert ("bookings_booking_no_overlap" in names) is (connection.vendor == "postgresql")


def test_a_direct_overlapping_write_is_refused_by_postgresql(service, client_with_credits):
    if connection.vendor != "postgresql":
        # Nothing below the service guards SQLite (see the test above); the same write
        # through the service is refused instead.
        booking = book_with_credits(service, client_with_credits)
        with pytest.raises(Conflict):
            book_with_credits(service, UserFactory(), starts_at=booking.starts_at)
        return
    booking = book_with_credits(service, client_with_credits)
    clash = {
        field: getattr(booking, field)
        for field in ("service", "practitioner", "starts_at", "ends_at", "pay_with")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            client=UserFactory(),
            blocked_start=booking.blocked_end - dt.timedelta(minutes=1),
            blocked_end=booking.blocked_end + dt.timedelta(hours=1),
            status=Status.CONFIRMED,
            **{
                **clash,
                "starts_at": booking.blocked_end - dt.timedelta(minutes=1),
                "ends_at": booking.blocked_end + dt.timedelta(hours=1),
            },
        )
    # Ended bookings do not block.
    Booking.objects.create(
        client=UserFactory(),
        blocked_start=booking.blocked_start,
        blocked_end=booking.blocked_end,
        status=Status.CANCELLED,
        **clash,
    )
