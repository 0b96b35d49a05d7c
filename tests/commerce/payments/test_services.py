"""Payments services against the offline Stripe: checkout, refunds (with the transfer
reversed and the fee refunded in proportion), payout accounts and transfers."""

import pytest
from django.conf import settings

from commerce.credits.selectors import credits_balance
from commerce.errors import Conflict, InvalidRequest
from commerce.payments import services
from commerce.payments.models import ConnectedAccount, Payment, Refund, Transfer
from integrations.stripe.local import StripeLocalGateway, simulator
from tests.accounts.factories import UserFactory
from tests.commerce.payments.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline_stripe():
    StripeLocalGateway.reset()
    yield
    StripeLocalGateway.reset()


def _paid_pack(capture, *, destination=None) -> Payment:
    payment = services.payment_checkout_create(
        user=UserFactory(),
        purpose=Payment.Purpose.CREDIT_PACK if destination is None else Payment.Purpose.BOOKING,
        description="5 session credits",
        amount=5000,
        currency="GBP",
        success_url="http://testserver/done/?cs={CHECKOUT_SESSION_ID}",
        cancel_url="http://testserver/cancel/",
        credit_count=5 if destination is None else 0,
        credit_validity_days=180,
        destination=destination,
    )
    with capture(execute=True):
        simulator.checkout_pay(payment.checkout_session_id)
    payment.refresh_from_db()
    return payment


def test_checkout_creates_a_pending_payment_with_an_idempotency_key_from_the_row(
    django_capture_on_commit_callbacks,
):
    payment = _paid_pack(django_capture_on_commit_callbacks)
    call = next(c for c in StripeLocalGateway.calls if c.method == "create_checkout_session")
    assert call.kwargs["idempotency_key"] == f"payment-{payment.pk}-checkout"
    assert payment.status == Payment.Status.PAID
    assert payment.currency == "gbp"
    assert credits_balance(user=payment.user) == 5


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        (0, "gbp", "invalid_amount"),
        (-5, "gbp", "invalid_amount"),
        (100, "pounds", "invalid_currency"),
    ],
)
def test_bad_amounts_and_currencies_are_refused_and_nothing_is_written(amount, currency, code):
    with pytest.raises(InvalidRequest) as refused:
        services.payment_checkout_create(
            user=UserFactory(),
            purpose=Payment.Purpose.CREDIT_PACK,
            description="x",
            amount=amount,
            currency=currency,
            success_url="http://t/",
            cancel_url="http://t/",
        )
    assert refused.value.api_code == code
    assert not Payment.objects.exists()


def test_a_full_refund_reaches_stripe_and_takes_the_credits_back(
    django_capture_on_commit_callbacks,
):
    payment = _paid_pack(django_capture_on_commit_callbacks)
    staff = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_create(
            payment=payment, amount=None, reason="requested_by_customer", created_by=staff
        )
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.amount == 5000
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.stripe_id
    assert payment.status == Payment.Status.REFUNDED
    assert credits_balance(user=payment.user) == 0
    call = next(c for c in StripeLocalGateway.calls if c.method == "create_refund")
    assert call.kwargs["idempotency_key"] == f"refund-{refund.pk}"
    assert call.kwargs["reverse_transfer"] is False  # not a destination charge


def test_refunds_cannot_exceed_what_was_paid(django_capture_on_commit_callbacks):
    payment = _paid_pack(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_create(payment=payment, amount=3000, reason="duplicate", created_by=None)
    with pytest.raises(Conflict) as refused:
        services.refund_create(payment=payment, amount=2001, reason="duplicate", created_by=None)
    assert refused.value.api_code == "refund_exceeds_remaining"
    assert Refund.objects.count() == 1


def test_an_unpaid_payment_cannot_be_refunded():
    payment = services.payment_checkout_create(
        user=UserFactory(),
        purpose=Payment.Purpose.CREDIT_PACK,
        description="x",
        amount=100,
        currency="gbp",
        success_url="http://t/",
        cancel_url="http://t/",
    )
    with pytest.raises(Conflict):
        services.refund_create(payment=payment, amount=None, reason="duplicate", created_by=None)


def test_a_destination_charge_refund_reverses_the_transfer_and_our_fee(
    django_capture_on_commit_callbacks,
):
    practitioner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.connected_account_start_onboarding(
            user=practitioner, refresh_url="http://t/r", return_url="http://t/ok"
        )
    account = ConnectedAccount.objects.get(owner=practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        simulator.complete_onboarding(
            account.stripe_id,
            business_name="Pat's Bodywork",
            holder_name="Pat Practitioner",
            routing_number="110000",
            account_number="000123456789",
        )
    account.refresh_from_db()
    assert account.charges_enabled and account.payouts_enabled

    payment = _paid_pack(django_capture_on_commit_callbacks, destination=account)
    assert payment.application_fee_amount == 5000 * settings.COMMERCE_PLATFORM_FEE_PERCENT // 100
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_create(payment=payment, amount=2500, reason="duplicate", created_by=None)
    call = next(c for c in StripeLocalGateway.calls if c.method == "create_refund")
    assert call.kwargs["reverse_transfer"] is True
    assert call.kwargs["refund_application_fee"] is True
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED


def test_card_sessions_need_a_ready_payout_account():
    account = ConnectedAccountFactory(charges_enabled=False)
    with pytest.raises(Conflict) as refused:
        services.payment_checkout_create(
            user=UserFactory(),
            purpose=Payment.Purpose.BOOKING,
            description="Session",
            amount=6000,
            currency="gbp",
            success_url="http://t/",
            cancel_url="http://t/",
            destination=account,
        )
    assert refused.value.api_code == "payouts_not_ready"


def test_a_transfer_is_made_once_per_source_net_of_our_fee(django_capture_on_commit_callbacks):
    account = ConnectedAccountFactory(payouts_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.transfer_create(
            destination=account,
            gross_amount=6000,
            currency="gbp",
            source_type="booking",
            source_id="42",
            description="Massage, 60 min",
        )
        again = services.transfer_create(
            destination=account,
            gross_amount=6000,
            currency="gbp",
            source_type="booking",
            source_id="42",
        )
    assert first.pk == again.pk
    first.refresh_from_db()
    assert first.gross_amount == 6000
    assert first.amount == 6000 - 6000 * settings.COMMERCE_PLATFORM_FEE_PERCENT // 100
    # Payouts are not enabled on this account: the transfer is held as failed, not sent.
    assert first.status == Transfer.Status.FAILED
    assert not any(c.method == "create_transfer" for c in StripeLocalGateway.calls)
