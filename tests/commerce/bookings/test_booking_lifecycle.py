"""Reschedule, no-show, the membership allowance and the member price (issue 6 part B)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from commerce.bookings.models import Booking
from commerce.bookings.notifications import REMINDER_TYPE, reminder_dedupe_key, reminders_send_due
from commerce.bookings.services import (
    NO_SHOW_WINDOW,
    booking_can_reschedule,
    booking_cancel,
    booking_confirm_with_credits,
    booking_confirm_with_membership,
    booking_hold,
    booking_mark_no_show,
    booking_reschedule,
    booking_start_card_checkout,
    bookings_complete_past,
)
from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available
from commerce.errors import Conflict, InsufficientCredits, InvalidRequest
from commerce.memberships.models import Membership, MembershipPlan
from commerce.payments.models import Refund, Transfer
from commerce.payments.services import platform_fee_for
from integrations.stripe import get_gateway
from integrations.stripe.local import StripeLocalGateway, simulator
from notifications.models import Delivery, Notification
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import (
    CREDIT_PRICE,
    PRICE,
    bookable_service,
    onboard_payouts,
    slot,
)
from tests.commerce.credits.factories import give_credits

pytestmark = pytest.mark.django_db

Status = Booking.Status
ALLOWANCE = CreditTransaction.Kind.ALLOWANCE
FULL_REFUND_HOURS = 24  # bookable_service: 100% back 24 h or more before


@pytest.fixture(autouse=True)
def _offline_stripe():
    StripeLocalGateway.reset()
    yield
    StripeLocalGateway.reset()


@pytest.fixture
def service():
    return bookable_service(
        accepts_membership=True,
        cancellation_tiers=[
            {"hours_before": 24, "refund_percent": 100},
            {"hours_before": 2, "refund_percent": 50},
        ],
    )


def make_member(user=None, *, discount: int = 0, status=Membership.Status.ACTIVE):
    user = user or UserFactory()
    plan = MembershipPlan.objects.create(
        slug=f"plan-{user.pk}",
        name="Member",
        price=1500,
        monthly_credit_allowance=2,
        member_discount_percent=discount,
    )
    Membership.objects.create(user=user, plan=plan, status=status)
    return user


def booked(service, user=None, starts_at=None):
    user = user or UserFactory()
    if credits_available(user=user) < CREDIT_PRICE:
        give_credits(user=user, amount=CREDIT_PRICE)
    booking = booking_hold(
        client=user, service=service, starts_at=starts_at or slot(), pay_with="credits"
    )
    return booking_confirm_with_credits(booking=booking)


def parsed_invitation(message):
    attachment = next(
        part for part in message.message().walk() if part.get_content_type() == "text/calendar"
    )
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    return calendar, next(iter(calendar.walk("VEVENT")))


# ---------- reschedule ----------


def test_the_client_moves_a_booking_within_the_full_refund_tier(
    service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = booked(service)
    confirmation_sequences = {
        int(parsed_invitation(message)[1]["SEQUENCE"]) for message in mail.outbox
    }
    mail.outbox.clear()
    spend_id = booking.credit_spend_id
    new_start = slot(days=4, hour=14)

    with django_capture_on_commit_callbacks(execute=True):
        moved = booking_reschedule(booking=booking, by=booking.client, starts_at=new_start)

    assert moved.pk == booking.pk
    assert (moved.starts_at, moved.ends_at) == (new_start, new_start + dt.timedelta(hours=1))
    assert (moved.blocked_start, moved.blocked_end) == (
        new_start,
        new_start + dt.timedelta(minutes=75),
    )
    assert moved.status == Status.CONFIRMED
    assert moved.reschedule_count == 1
    # No money moves.
    assert moved.credit_spend_id == spend_id
    assert credits_available(user=booking.client) == 0
    assert CreditTransaction.objects.filter(kind=CreditTransaction.Kind.REFUND).count() == 0
    # Both people get a "moved" email whose invitation updates the same calendar entry.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [booking.client.email, service.practitioner.user.email]
    )
    for message in mail.outbox:
        assert message.subject.startswith("Moved:")
        calendar, event = parsed_invitation(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]).startswith(f"booking-{booking.pk}@")
        assert int(event["SEQUENCE"]) > max(confirmation_sequences)
        assert event.decoded("DTSTART") == new_start
    assert (
        Notification.objects.filter(
            type_key__in=["bookings.rescheduled", "bookings.practice_rescheduled"],
            dedupe_key__startswith=f"booking:{booking.pk}:rescheduled:",
        ).count()
        == 2
    )


def test_the_old_time_is_free_again_and_the_new_one_taken(service):
    booking = booked(service)
    booking_reschedule(booking=booking, by=booking.client, starts_at=slot(hour=14))
    other = UserFactory()
    booking_hold(client=other, service=service, starts_at=slot(), pay_with="card")
    with pytest.raises(Conflict) as refused:
        booking_hold(client=other, service=service, starts_at=slot(hour=14), pay_with="card")
    assert refused.value.api_code == "slot_taken"


def test_moving_onto_a_taken_time_or_its_buffer_is_slot_taken(service):
    booking = booked(service)
    booked(service, starts_at=slot(hour=12))
    for starts_at in (slot(hour=12), slot(hour=13)):  # 13:00 is in the 15-minute buffer
        with pytest.raises(Conflict) as refused:
            booking_reschedule(booking=booking, by=booking.client, starts_at=starts_at)
        assert refused.value.api_code == "slot_taken"
    booking.refresh_from_db()
    assert booking.starts_at == slot()


def test_moving_next_to_its_own_current_time_is_allowed(service):
    booking = booked(service)
    # 11:00 would sit in its own buffer: the booking does not block itself.
    moved = booking_reschedule(booking=booking, by=booking.client, starts_at=slot(hour=11))
    assert moved.starts_at == slot(hour=11)


@pytest.mark.parametrize(
    "starts_at",
    [
        slot(hour=8),  # before opening
        slot(hour=10) + dt.timedelta(minutes=30),  # off the grid
        slot(days=-1),  # in the past
        slot(days=200),  # beyond the advance limit
    ],
)
def test_a_time_the_service_does_not_offer_is_unavailable(service, starts_at):
    booking = booked(service)
    with pytest.raises(Conflict) as refused:
        booking_reschedule(booking=booking, by=booking.client, starts_at=starts_at)
    assert refused.value.api_code == "slot_unavailable"


def test_minimum_notice_applies_to_the_new_time():
    service = bookable_service(
        minimum_notice_minutes=2 * 24 * 60,
        cancellation_tiers=[{"hours_before": 24, "refund_percent": 100}],
    )
    booking = booked(service, starts_at=slot(days=5))
    with pytest.raises(Conflict) as refused:
        booking_reschedule(booking=booking, by=booking.client, starts_at=slot(days=1))
    assert refused.value.api_code == "slot_unavailable"


def test_the_client_cannot_move_once_the_full_refund_has_passed(service):
    booking = booked(service)
    late = booking.starts_at - dt.timedelta(hours=FULL_REFUND_HOURS - 1)
    assert not booking_can_reschedule(booking=booking, by=booking.client, now=late)
    with pytest.raises(Conflict) as refused:
        booking_reschedule(booking=booking, by=booking.client, starts_at=slot(days=5), now=late)
    assert refused.value.api_code == "reschedule_not_allowed"
    # The practitioner still can.
    practitioner = service.practitioner.user
    assert booking_can_reschedule(booking=booking, by=practitioner, now=late)
    moved = booking_reschedule(booking=booking, by=practitioner, starts_at=slot(days=5), now=late)
    assert moved.starts_at == slot(days=5)


def test_a_service_without_a_full_refund_tier_cannot_be_moved_by_the_client():
    service = bookable_service(cancellation_tiers=[{"hours_before": 48, "refund_percent": 50}])
    booking = booked(service)
    with pytest.raises(Conflict) as refused:
        booking_reschedule(booking=booking, by=booking.client, starts_at=slot(hour=14))
    assert refused.value.api_code == "reschedule_not_allowed"


def test_holds_cancelled_and_started_bookings_cannot_be_moved(service):
    practitioner = service.practitioner.user
    hold = booking_hold(client=UserFactory(), service=service, starts_at=slot(), pay_with="card")
    cancelled = booked(service, starts_at=slot(hour=12))
    booking_cancel(booking=cancelled, by=practitioner)
    started = booked(service, starts_at=slot(hour=14))
    for booking, now in (
        (hold, None),
        (cancelled, None),
        (started, started.starts_at + dt.timedelta(minutes=5)),
    ):
        with pytest.raises(Conflict) as refused:
            booking_reschedule(booking=booking, by=practitioner, starts_at=slot(days=5), now=now)
        assert refused.value.api_code == "reschedule_not_allowed"


def test_someone_unrelated_cannot_move_a_booking(service):
    booking = booked(service)
    with pytest.raises(Conflict):
        booking_reschedule(booking=booking, by=UserFactory(), starts_at=slot(hour=14))


def test_bad_times_are_invalid(service):
    booking = booked(service)
    with pytest.raises(InvalidRequest):
        booking_reschedule(
            booking=booking, by=booking.client, starts_at=slot(hour=14).replace(tzinfo=None)
        )
    with pytest.raises(InvalidRequest) as same:
        booking_reschedule(booking=booking, by=booking.client, starts_at=booking.starts_at)
    assert same.value.api_code == "same_time"


def test_reminders_fire_once_for_the_new_time_and_never_for_the_old(
    service, django_capture_on_commit_callbacks
):
    booking = booked(service, starts_at=slot(days=2))
    old_start = booking.starts_at
    # The 24 h reminder for the old time is created and sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due(now=old_start - dt.timedelta(hours=23)) == 1
    assert len(mail.outbox) == 1
    mail.outbox.clear()

    new_start = slot(days=4, hour=14)
    booking_reschedule(booking=booking, by=booking.client, starts_at=new_start, now=timezone.now())

    # Nothing more is due around the old time.
    assert reminders_send_due(now=old_start - dt.timedelta(minutes=50)) == 0
    # The new time gets its 24 h and 1 h reminders, each once.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due(now=new_start - dt.timedelta(hours=23)) == 1
        assert reminders_send_due(now=new_start - dt.timedelta(hours=22)) == 0
        assert reminders_send_due(now=new_start - dt.timedelta(minutes=50)) == 1
        assert reminders_send_due(now=new_start - dt.timedelta(minutes=40)) == 0
    assert len(mail.outbox) == 2
    keys = Notification.objects.filter(type_key=REMINDER_TYPE).values_list("dedupe_key", flat=True)
    assert sorted(keys) == sorted(
        [
            reminder_dedupe_key(booking.pk, "24h", old_start),
            reminder_dedupe_key(booking.pk, "24h", new_start),
            reminder_dedupe_key(booking.pk, "1h", new_start),
        ]
    )


def test_a_reminder_not_yet_sent_for_the_old_time_is_withdrawn_when_the_booking_moves(
    service, django_capture_on_commit_callbacks
):
    booking = booked(service, starts_at=slot(days=2))
    # Created, but its email has not gone out yet (the test transaction never commits).
    reminders_send_due(now=booking.starts_at - dt.timedelta(hours=23))
    booking_reschedule(booking=booking, by=booking.client, starts_at=slot(days=4))

    email = Delivery.objects.get(notification__type_key=REMINDER_TYPE, channel="email")
    assert email.state == Delivery.State.SKIPPED
    assert email.skip_reason == "the booking moved"
    from notifications.delivery import delivery_send

    assert delivery_send(delivery_id=email.pk) == "not due"
    assert not [message for message in mail.outbox if message.subject.startswith("Reminder")]


def test_two_moves_in_the_same_second_send_two_sequences(
    service, django_capture_on_commit_callbacks
):
    booking = booked(service)
    with django_capture_on_commit_callbacks(execute=True):
        booking_reschedule(booking=booking, by=booking.client, starts_at=slot(hour=12))
    with django_capture_on_commit_callbacks(execute=True):
        booking_reschedule(booking=booking, by=booking.client, starts_at=slot(hour=14))
    keys = Notification.objects.filter(
        type_key="bookings.rescheduled", recipient=booking.client
    ).values_list("dedupe_key", flat=True)
    sequences = sorted(int(key.rsplit(":seq", 1)[1]) for key in keys)
    assert len(sequences) == 2 and sequences[0] < sequences[1]


# ---------- no-show ----------


def test_no_show_before_the_start_is_refused(service):
    booking = booked(service)
    with pytest.raises(Conflict) as refused:
        booking_mark_no_show(booking=booking, by=service.practitioner.user)
    assert refused.value.api_code == "no_show_not_allowed"


def test_a_no_show_keeps_the_credits_pays_the_practitioner_and_is_never_completed(
    service, django_capture_on_commit_callbacks
):
    account = onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    booking = booked(service)
    mail.outbox.clear()
    after_start = booking.starts_at + dt.timedelta(minutes=10)

    with django_capture_on_commit_callbacks(execute=True):
        marked = booking_mark_no_show(
            booking=booking, by=service.practitioner.user, now=after_start
        )
    again = booking_mark_no_show(booking=booking, by=service.practitioner.user, now=after_start)

    assert marked.status == again.status == Status.NO_SHOW
    assert marked.no_show_at == after_start
    assert (marked.refund_percent, marked.refund_amount) == (0, 0)
    assert credits_available(user=booking.client) == 0
    transfer = Transfer.objects.get()
    assert (transfer.destination, transfer.gross_amount) == (account, PRICE)
    # Completion leaves it alone, so the practitioner is paid once.
    assert bookings_complete_past(now=booking.ends_at + NO_SHOW_WINDOW * 2) == 0
    assert Transfer.objects.count() == 1
    # Only the client is told, without a calendar file.
    assert [message.to for message in mail.outbox] == [[booking.client.email]]
    assert mail.outbox[0].subject.startswith("Missed session:")
    assert mail.outbox[0].attachments == []


def test_a_policy_with_a_last_minute_tier_gives_that_share_back_for_a_no_show(
    django_capture_on_commit_callbacks,
):
    service = bookable_service(
        credit_price=10,
        cancellation_tiers=[
            {"hours_before": 24, "refund_percent": 100},
            {"hours_before": 0, "refund_percent": 30},
        ],
    )
    account = onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    user = UserFactory()
    give_credits(user=user, amount=10)
    booking = booked(service, user=user)

    marked = booking_mark_no_show(
        booking=booking, by=service.practitioner.user, now=booking.starts_at
    )

    assert (marked.refund_percent, marked.refund_amount) == (30, 3)
    assert credits_available(user=user) == 3
    refund = CreditTransaction.objects.get(kind=CreditTransaction.Kind.REFUND)
    assert (refund.source_type, refund.source_id) == ("booking-no-show", str(booking.pk))
    # The practitioner is paid only the part kept.
    transfer = Transfer.objects.get()
    assert (transfer.destination, transfer.gross_amount) == (account, PRICE * 70 // 100)


def test_a_card_no_show_refunds_the_tier_through_stripe_and_makes_no_transfer(
    django_capture_on_commit_callbacks,
):
    service = bookable_service(
        cancellation_tiers=[{"hours_before": 0, "refund_percent": 50}],
    )
    onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    booking = booking_hold(client=UserFactory(), service=service, starts_at=slot(), pay_with="card")
    payment = booking_start_card_checkout(
        booking=booking, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    with django_capture_on_commit_callbacks(execute=True):
        simulator.checkout_pay(payment.checkout_session_id)

    with django_capture_on_commit_callbacks(execute=True):
        marked = booking_mark_no_show(
            booking=booking, by=service.practitioner.user, now=booking.starts_at
        )

    assert (marked.refund_percent, marked.refund_amount) == (50, PRICE // 2)
    refund = Refund.objects.get()
    assert refund.amount == PRICE // 2
    assert refund.stripe_id  # submitted to the offline Stripe after commit
    # The destination charge already paid the practitioner; the refund reverses its share.
    assert not Transfer.objects.exists()


def test_a_completed_or_cancelled_booking_cannot_be_a_no_show(service):
    booking = booked(service)
    bookings_complete_past(now=booking.ends_at + NO_SHOW_WINDOW)
    with pytest.raises(Conflict):
        booking_mark_no_show(
            booking=booking, by=service.practitioner.user, now=booking.ends_at + NO_SHOW_WINDOW
        )


# ---------- membership allowance ----------


def grant_allowance(user, amount=2, *, expires_in_days=30):
    return give_credits(
        user=user,
        amount=amount,
        kind=ALLOWANCE,
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days),
    )


def test_membership_spends_only_the_allowance(service):
    member = make_member()
    give_credits(user=member, amount=10)  # bought credits: not touched
    allowance = grant_allowance(member, amount=CREDIT_PRICE + 1)

    booking = booking_hold(client=member, service=service, starts_at=slot(), pay_with="membership")
    booking = booking_confirm_with_membership(booking=booking)

    assert booking.status == Status.CONFIRMED
    assert booking.price_credits == CREDIT_PRICE
    assert credits_available(user=member, grant_kinds=[ALLOWANCE]) == 1
    assert credits_available(user=member) == 11
    lots = {entry.lot_id for entry in booking.credit_spend.entries.all()}
    assert lots == {allowance.lot.pk}
    # Cancelling in time returns it to the allowance lot.
    booking_cancel(booking=booking, by=member)
    assert credits_available(user=member, grant_kinds=[ALLOWANCE]) == CREDIT_PRICE + 1


def test_membership_with_the_allowance_spent_is_402_and_frees_the_time(service):
    member = make_member()
    give_credits(user=member, amount=10)
    grant_allowance(member, amount=CREDIT_PRICE - 1)
    booking = booking_hold(client=member, service=service, starts_at=slot(), pay_with="membership")
    with pytest.raises(InsufficientCredits) as refused:
        booking_confirm_with_membership(booking=booking)
    assert refused.value.api_code == "insufficient_allowance"
    booking.refresh_from_db()
    assert booking.status == Status.EXPIRED
    assert credits_available(user=member) == 10 + CREDIT_PRICE - 1


def test_membership_needs_a_current_membership(service):
    ended = make_member(status=Membership.Status.ENDED)
    grant_allowance(ended)
    booking = booking_hold(client=ended, service=service, starts_at=slot(), pay_with="membership")
    with pytest.raises(InsufficientCredits) as refused:
        booking_confirm_with_membership(booking=booking)
    assert refused.value.api_code == "membership_required"


def test_membership_only_where_the_service_accepts_it():
    service = bookable_service(accepts_membership=False)
    with pytest.raises(InvalidRequest) as refused:
        booking_hold(client=make_member(), service=service, starts_at=slot(), pay_with="membership")
    assert refused.value.api_code == "payment_method_not_accepted"


def test_a_service_without_a_credit_price_costs_one_allowance_credit():
    service = bookable_service(accepts_credits=False, credit_price=None, accepts_membership=True)
    member = make_member()
    grant_allowance(member, amount=2)
    booking = booking_hold(client=member, service=service, starts_at=slot(), pay_with="membership")
    booking = booking_confirm_with_membership(booking=booking)
    assert booking.price_credits == 1
    assert credits_available(user=member) == 1


def test_a_late_cancellation_returns_the_allowance_by_the_tier(service):
    member = make_member()
    grant_allowance(member, amount=CREDIT_PRICE)
    booking = booking_confirm_with_membership(
        booking=booking_hold(
            client=member, service=service, starts_at=slot(), pay_with="membership"
        )
    )
    cancelled = booking_cancel(
        booking=booking, by=member, now=booking.starts_at - dt.timedelta(hours=3)
    )
    assert (cancelled.refund_percent, cancelled.refund_amount) == (50, CREDIT_PRICE // 2)
    assert credits_available(user=member, grant_kinds=[ALLOWANCE]) == CREDIT_PRICE // 2


# ---------- member price ----------


def _checkout(service, client, capture):
    onboard_payouts(service.practitioner.user, capture)
    booking = booking_hold(client=client, service=service, starts_at=slot(), pay_with="card")
    return booking, booking_start_card_checkout(
        booking=booking, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )


def test_a_member_paying_by_card_is_charged_the_member_price(
    django_capture_on_commit_callbacks,
):
    service = bookable_service(member_price=PRICE - 1000)
    booking, payment = _checkout(service, make_member(), django_capture_on_commit_callbacks)
    assert booking.price_amount == payment.amount == PRICE - 1000
    assert payment.application_fee_amount == platform_fee_for(PRICE - 1000)
    # What Stripe is asked to charge, and the fee it is told to keep.
    session = get_gateway().retrieve_checkout_session(payment.checkout_session_id)
    assert session.amount_total == PRICE - 1000


def test_a_non_member_pays_the_list_price(django_capture_on_commit_callbacks):
    service = bookable_service(member_price=PRICE - 1000)
    booking, payment = _checkout(service, UserFactory(), django_capture_on_commit_callbacks)
    assert booking.price_amount == payment.amount == PRICE
    assert payment.application_fee_amount == platform_fee_for(PRICE)


def test_without_a_member_price_the_plan_discount_applies(django_capture_on_commit_callbacks):
    service = bookable_service()
    booking, payment = _checkout(
        service, make_member(discount=10), django_capture_on_commit_callbacks
    )
    assert payment.amount == PRICE * 90 // 100


def test_a_member_paying_with_credits_pays_the_credit_price(service):
    member = make_member()
    service.member_price = PRICE - 1000
    service.save()
    booking = booked(service, user=member)
    assert (booking.price_credits, booking.price_amount) == (CREDIT_PRICE, PRICE)


# ---------- marketing event ----------


@pytest.fixture
def klaviyo():
    from integrations.klaviyo.local import LocalKlaviyo

    LocalKlaviyo.reset()
    yield LocalKlaviyo
    LocalKlaviyo.reset()


def test_a_confirmed_booking_sends_session_booked_once(
    service, klaviyo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = booked(service)
    with django_capture_on_commit_callbacks(execute=True):
        booking_confirm_with_credits(booking=booking)  # a retry confirms nothing new

    (body,) = klaviyo.requests_for("event_create")
    attributes = body["data"]["attributes"]
    assert attributes["unique_id"] == f"booking-{booking.pk}-confirmed"
    assert attributes["metric"]["data"]["attributes"]["name"] == "Session Booked"
    properties = attributes["properties"]
    assert properties["booking_reference"] == str(booking.pk)
    assert properties["starts_at"] == booking.starts_at.isoformat()
    assert properties["duration_minutes"] == service.duration_minutes
    # Only what was booked and when: nothing about the client's health or payment.
    assert set(properties) <= {
        "booking_reference",
        "starts_at",
        "duration_minutes",
        "service_name",
        "practitioner_name",
    }
    assert attributes["profile"]["data"]["attributes"]["email"] == booking.client.email


def test_a_failed_payment_sends_no_event(service, klaviyo, django_capture_on_commit_callbacks):
    member = make_member()
    booking = booking_hold(client=member, service=service, starts_at=slot(), pay_with="membership")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InsufficientCredits):
        booking_confirm_with_membership(booking=booking)
    assert klaviyo.requests_for("event_create") == []
