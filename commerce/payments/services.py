"""Every write about card payments, refunds, disputes, payout accounts and transfers."""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from commerce.credits.wording import credit_count
from commerce.errors import Conflict, InvalidRequest
from commerce.payments.models import (
    ConnectedAccount,
    Dispute,
    Payment,
    Refund,
    StripeCustomer,
    Transfer,
)
from commerce.payments.signals import payment_reconciled
from integrations.stripe import get_gateway
from integrations.stripe.types import CheckoutRequest, CheckoutSession, LineItem
from money import Money

logger = logging.getLogger(__name__)

# Metadata keys that tie Stripe objects back to our rows.
PAYMENT_ID_KEY = "aeyia_payment_id"
REFUND_ID_KEY = "aeyia_refund_id"
TRANSFER_ID_KEY = "aeyia_transfer_id"


def platform_fee_for(amount: int) -> int:
    """Our application fee on a destination charge, rounded down to the minor unit."""
    return amount * settings.COMMERCE_PLATFORM_FEE_PERCENT // 100


def stripe_customer_ensure(*, user: User) -> StripeCustomer:
    """The user's Stripe customer, created once (the idempotency key is the user's id)."""
    existing = StripeCustomer.objects.filter(user=user).first()
    if existing is not None:
        return existing
    customer = get_gateway().create_customer(
        idempotency_key=f"customer-{user.pk}",
        email=user.email,
        name=user.get_full_name(),
        metadata={"aeyia_user_id": str(user.pk)},
    )
    stored, _ = StripeCustomer.objects.get_or_create(user=user, defaults={"stripe_id": customer.id})
    return stored


def payment_checkout_create(
    *,
    user: User,
    purpose: str,
    description: str,
    amount: int,
    currency: str,
    success_url: str,
    cancel_url: str,
    credit_count: int = 0,
    credit_validity_days: int | None = None,
    destination: ConnectedAccount | None = None,
    source_type: str = "",
    source_id: str = "",
) -> Payment:
    """Creates a pending payment and its Stripe Checkout session. Card payments for a
    practitioner's session are destination charges carrying our application fee."""
    if amount <= 0:
        raise InvalidRequest("The amount must be positive.", code="invalid_amount")
    currency = currency.lower()
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidRequest("Unknown currency.", code="invalid_currency")
    if destination is not None and not destination.charges_enabled:
        raise Conflict("This practitioner cannot take card payments yet.", code="payouts_not_ready")
    payment = Payment.objects.create(
        user=user,
        purpose=purpose,
        description=description,
        amount=amount,
        currency=currency,
        application_fee_amount=platform_fee_for(amount) if destination else 0,
        destination=destination,
        credit_count=credit_count,
        credit_validity_days=credit_validity_days,
        source_type=source_type,
        source_id=source_id,
    )
    customer = stripe_customer_ensure(user=user)
    session = get_gateway().create_checkout_session(
        idempotency_key=f"payment-{payment.pk}-checkout",
        request=CheckoutRequest(
            mode="payment",
            line_items=(LineItem(name=description, amount=amount, currency=currency),),
            success_url=success_url,
            cancel_url=cancel_url,
            client_reference_id=f"payment-{payment.pk}",
            metadata={PAYMENT_ID_KEY: str(payment.pk)},
            customer_id=customer.stripe_id,
            destination_account_id=destination.stripe_id if destination else None,
            application_fee_amount=payment.application_fee_amount if destination else None,
            transfer_group=f"payment-{payment.pk}" if destination else None,
        ),
    )
    payment.checkout_session_id = session.id
    payment.checkout_url = session.url or ""
    if session.payment_intent_id:
        payment.payment_intent_id = session.payment_intent_id
    payment.save(update_fields=["checkout_session_id", "checkout_url", "payment_intent_id"])
    return payment


def payment_for_stripe_object(obj: dict) -> Payment | None:
    """Finds our payment from a Stripe checkout session, payment intent or charge, by our
    metadata first and Stripe ids second."""
    metadata = obj.get("metadata") or {}
    if metadata.get(PAYMENT_ID_KEY, "").isdigit():
        found = Payment.objects.filter(pk=int(metadata[PAYMENT_ID_KEY])).first()
        if found:
            return found
    if obj.get("object") == "checkout.session":
        return Payment.objects.filter(checkout_session_id=obj.get("id")).first()
    intent_id = (
        obj.get("id") if obj.get("object") == "payment_intent" else obj.get("payment_intent")
    )
    if intent_id:
        return Payment.objects.filter(payment_intent_id=intent_id).first()
    return None


def _lock(payment: Payment) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment.pk)


@transaction.atomic
def payment_record_paid(
    *, payment: Payment, payment_intent_id: str | None, paid_at: datetime | None = None
) -> Payment:
    """Records that Stripe took the money (idempotent)."""
    payment = _lock(payment)
    changed = []
    if payment_intent_id and payment.payment_intent_id != payment_intent_id:
        payment.payment_intent_id = payment_intent_id
        changed.append("payment_intent_id")
    if payment.paid_at is None:
        payment.paid_at = paid_at or timezone.now()
        changed.append("paid_at")
    if changed:
        payment.save(update_fields=[*changed, "updated_at"])
    return payment_reconcile(payment=payment)


@transaction.atomic
def payment_record_refunded(*, payment: Payment, amount_refunded: int) -> Payment:
    """Records Stripe's cumulative refunded amount; it only ever grows, so a late or
    repeated event cannot lower it."""
    payment = _lock(payment)
    amount_refunded = min(max(amount_refunded, 0), payment.amount)
    if amount_refunded > payment.amount_refunded:
        payment.amount_refunded = amount_refunded
        payment.save(update_fields=["amount_refunded", "updated_at"])
    return payment_reconcile(payment=payment)


@transaction.atomic
def payment_record_expired(*, payment: Payment) -> Payment:
    payment = _lock(payment)
    if payment.paid_at is None and not payment.is_expired:
        payment.is_expired = True
        payment.save(update_fields=["is_expired", "updated_at"])
    return payment_reconcile(payment=payment)


def _derived_status(payment: Payment) -> str:
    if payment.is_disputed:
        return Payment.Status.DISPUTED
    if payment.amount_refunded >= payment.amount:
        return Payment.Status.REFUNDED
    if payment.amount_refunded > 0:
        return Payment.Status.PARTIALLY_REFUNDED
    if payment.paid_at is not None:
        return Payment.Status.PAID
    if payment.is_expired:
        return Payment.Status.EXPIRED
    return Payment.Status.PENDING


def payment_reconcile(*, payment: Payment) -> Payment:
    """Brings status and effects in line with the recorded facts. Effects are idempotent
    on their sources, so running this after any event, in any order, converges: a credit
    pack paid then fully refunded ends granted-and-reversed whichever event came first."""
    from commerce.credits.models import CreditTransaction
    from commerce.credits.services import credits_grant, credits_reverse_grant

    status = _derived_status(payment)
    if status != payment.status:
        payment.status = status
        payment.save(update_fields=["status", "updated_at"])

    if payment.purpose == Payment.Purpose.CREDIT_PACK and payment.credit_count:
        grant = None
        if payment.paid_at is not None:
            # Validity runs from when we learn of the payment, so a late event never
            # grants credits that are already out of date.
            expires_at = (
                max(payment.paid_at, timezone.now()) + timedelta(days=payment.credit_validity_days)
                if payment.credit_validity_days
                else None
            )
            grant = credits_grant(
                user=payment.user,
                amount=payment.credit_count,
                kind=CreditTransaction.Kind.PURCHASE,
                source_type="payment",
                source_id=str(payment.pk),
                expires_at=expires_at,
                memo=payment.description,
            )
        fully_refunded = payment.amount_refunded >= payment.amount
        if grant is not None and (fully_refunded or payment.is_disputed):
            credits_reverse_grant(
                grant=grant,
                source_type="payment-reversal",
                source_id=str(payment.pk),
                memo="Refunded" if fully_refunded else "Disputed",
            )
    payment_reconciled.send(sender=Payment, payment=payment)
    return payment


@transaction.atomic
def dispute_record(*, dispute_object: dict) -> Dispute:
    """Creates or updates a dispute from Stripe's object and flags the payment."""
    payment = payment_for_stripe_object(dispute_object)
    status = dispute_object.get("status") or "needs_response"
    closed = status in ("won", "lost", "warning_closed")
    dispute, _ = Dispute.objects.update_or_create(
        stripe_id=dispute_object["id"],
        defaults={
            "payment": payment,
            "charge_id": dispute_object.get("charge") or "",
            "payment_intent_id": dispute_object.get("payment_intent") or "",
            "amount": dispute_object.get("amount") or 0,
            "currency": (dispute_object.get("currency") or settings.COMMERCE_CURRENCY)[:3],
            "reason": dispute_object.get("reason") or "",
            "status": status,
            "opened_at": datetime.fromtimestamp(
                dispute_object.get("created") or timezone.now().timestamp(), tz=UTC
            ),
            "closed_at": timezone.now() if closed else None,
        },
    )
    if payment is not None:
        payment = _lock(payment)
        # A dispute that is lost or still open keeps the payment disputed; one that the
        # platform won releases it. The ledger reversal stays (credits are not re-granted
        # automatically; staff can adjust).
        is_disputed = status != "won"
        if payment.is_disputed != is_disputed:
            payment.is_disputed = is_disputed
            payment.save(update_fields=["is_disputed", "updated_at"])
        payment_reconcile(payment=payment)
    return dispute


@transaction.atomic
def refund_create(
    *, payment: Payment, amount: int | None, reason: str, note: str = "", created_by: User | None
) -> Refund:
    """Staff refund, full (amount None) or partial. Refunds already asked for count
    against the limit, so two staff members cannot refund the same money twice."""
    payment = _lock(payment)
    if payment.paid_at is None:
        raise Conflict("Only a paid payment can be refunded.", code="not_paid")
    if reason not in Refund.Reason.values:
        raise InvalidRequest("Choose a refund reason.", code="invalid_reason")
    asked = sum(
        payment.refunds.exclude(status=Refund.Status.FAILED).values_list("amount", flat=True)
    )
    remaining = payment.amount - max(asked, payment.amount_refunded)
    amount = remaining if amount is None else amount
    if amount <= 0:
        raise Conflict("Nothing is left to refund on this payment.", code="fully_refunded")
    if amount > remaining:
        raise Conflict(
            f"At most {Money(remaining, payment.currency)} can still be refunded.",
            code="refund_exceeds_remaining",
        )
    refund = Refund.objects.create(
        payment=payment, amount=amount, reason=reason, note=note, created_by=created_by
    )
    from commerce.payments.tasks import submit_refund
    from events.outbox import enqueue_on_commit

    enqueue_on_commit(submit_refund, refund.pk)
    return refund


def refund_submit(*, refund_id: int) -> str:
    """Sends a requested refund to Stripe (idempotency key from our row)."""
    refund = Refund.objects.select_related("payment", "payment__destination").get(pk=refund_id)
    if refund.stripe_id or refund.status != Refund.Status.REQUESTED:
        return refund.status
    payment = refund.payment
    if not payment.payment_intent_id:
        raise Conflict("The payment has no Stripe payment intent yet.", code="not_paid")
    is_destination_charge = payment.destination_id is not None
    try:
        result = get_gateway().create_refund(
            idempotency_key=f"refund-{refund.pk}",
            payment_intent_id=payment.payment_intent_id,
            amount=refund.amount,
            reason=refund.reason,
            # Destination charges: take the money back from the practitioner and give back
            # our fee in proportion.
            reverse_transfer=is_destination_charge,
            refund_application_fee=is_destination_charge,
            metadata={REFUND_ID_KEY: str(refund.pk), PAYMENT_ID_KEY: str(payment.pk)},
        )
    except Exception as error:
        from integrations.stripe.types import StripeError

        if isinstance(error, StripeError) and not error.retryable:
            Refund.objects.filter(pk=refund.pk).update(
                status=Refund.Status.FAILED, failure_message=str(error)[:500]
            )
            return Refund.Status.FAILED
        raise
    status = Refund.Status.SUCCEEDED if result.status == "succeeded" else Refund.Status.PENDING
    if result.status in ("failed", "canceled"):
        status = Refund.Status.FAILED
    Refund.objects.filter(pk=refund.pk).update(stripe_id=result.id, status=status)
    return status


@transaction.atomic
def refund_record_from_stripe(*, refund_object: dict) -> Refund | None:
    """Settles our refund row from Stripe's refund object (refund.created/updated)."""
    metadata = refund_object.get("metadata") or {}
    refund = None
    if str(metadata.get(REFUND_ID_KEY, "")).isdigit():
        refund = Refund.objects.filter(pk=int(metadata[REFUND_ID_KEY])).first()
    if refund is None and refund_object.get("id"):
        refund = Refund.objects.filter(stripe_id=refund_object["id"]).first()
    if refund is None:
        return None
    mapping = {
        "succeeded": Refund.Status.SUCCEEDED,
        "pending": Refund.Status.PENDING,
        "requires_action": Refund.Status.PENDING,
        "failed": Refund.Status.FAILED,
        "canceled": Refund.Status.FAILED,
    }
    refund.status = mapping.get(refund_object.get("status", ""), refund.status)
    refund.stripe_id = refund.stripe_id or refund_object.get("id")
    refund.save(update_fields=["status", "stripe_id"])
    return refund


def connected_account_start_onboarding(*, user: User, refresh_url: str, return_url: str) -> str:
    """Creates the practitioner's Express account once and returns a fresh onboarding
    link (links are single-use, so a new one each time)."""
    account = ConnectedAccount.objects.filter(owner=user).first()
    gateway = get_gateway()
    if account is None:
        created = gateway.create_connected_account(
            idempotency_key=f"connected-account-{user.pk}",
            email=user.email,
            country=settings.STRIPE_CONNECT_COUNTRY,
            metadata={"aeyia_user_id": str(user.pk)},
        )
        account, _ = ConnectedAccount.objects.get_or_create(
            owner=user,
            defaults={
                "stripe_id": created.id,
                "charges_enabled": created.charges_enabled,
                "payouts_enabled": created.payouts_enabled,
                "details_submitted": created.details_submitted,
            },
        )
    link = gateway.create_account_link(
        account_id=account.stripe_id, refresh_url=refresh_url, return_url=return_url
    )
    return link.url


def connected_account_update(
    *, stripe_id: str, charges_enabled: bool, payouts_enabled: bool, details_submitted: bool
) -> ConnectedAccount | None:
    """Mirrors Stripe's capability flags (account.updated or a refresh on return)."""
    account = ConnectedAccount.objects.filter(stripe_id=stripe_id).first()
    if account is None:
        return None
    account.charges_enabled = charges_enabled
    account.payouts_enabled = payouts_enabled
    account.details_submitted = details_submitted
    account.save(update_fields=["charges_enabled", "payouts_enabled", "details_submitted"])
    return account


def connected_account_refresh(*, account: ConnectedAccount) -> ConnectedAccount:
    remote = get_gateway().retrieve_account(account.stripe_id)
    return (
        connected_account_update(
            stripe_id=account.stripe_id,
            charges_enabled=remote.charges_enabled,
            payouts_enabled=remote.payouts_enabled,
            details_submitted=remote.details_submitted,
        )
        or account
    )


@transaction.atomic
def transfer_create(
    *,
    destination: ConnectedAccount,
    gross_amount: int,
    currency: str,
    source_type: str,
    source_id: str,
    description: str = "",
) -> Transfer:
    """Pays a practitioner for a completed session not paid by card: the session's worth
    less our fee, the same split a card payment's destination charge makes (idempotent on
    the source: one booking, one transfer)."""
    if gross_amount <= 0:
        raise InvalidRequest("The amount must be positive.", code="invalid_amount")
    amount = gross_amount - platform_fee_for(gross_amount)
    transfer, created = Transfer.objects.get_or_create(
        source_type=source_type,
        source_id=source_id,
        defaults={
            "destination": destination,
            "amount": amount,
            "gross_amount": gross_amount,
            "currency": currency.lower(),
            "description": description,
        },
    )
    if created:
        from commerce.payments.tasks import submit_transfer
        from events.outbox import enqueue_on_commit

        enqueue_on_commit(submit_transfer, transfer.pk)
    return transfer


def transfer_submit(*, transfer_id: int) -> str:
    transfer = Transfer.objects.select_related("destination").get(pk=transfer_id)
    if transfer.stripe_id:
        return transfer.status
    if not transfer.destination.payouts_enabled:
        Transfer.objects.filter(pk=transfer.pk).update(
            status=Transfer.Status.FAILED, failure_message="Payouts are not enabled."
        )
        return Transfer.Status.FAILED
    result = get_gateway().create_transfer(
        idempotency_key=f"transfer-{transfer.pk}",
        amount=transfer.amount,
        currency=transfer.currency,
        destination=transfer.destination.stripe_id,
        transfer_group=f"{transfer.source_type}-{transfer.source_id}",
        metadata={TRANSFER_ID_KEY: str(transfer.pk)},
    )
    Transfer.objects.filter(pk=transfer.pk).update(
        stripe_id=result.id, status=Transfer.Status.CREATED
    )
    return Transfer.Status.CREATED


def checkout_session_sync(*, session: CheckoutSession) -> Payment | None:
    """On return from Checkout, apply what Stripe says now instead of waiting for the
    webhook (the webhook's later effects are then no-ops)."""
    payment = Payment.objects.filter(checkout_session_id=session.id).first()
    if payment is None:
        return None
    if session.status == "complete" and session.payment_status == "paid":
        return payment_record_paid(payment=payment, payment_intent_id=session.payment_intent_id)
    return payment


def credit_pack_checkout_create(
    *, user: User, pack_id: object, success_url: str, cancel_url: str
) -> Payment:
    """Starts buying a credit pack by card; the credits arrive when Stripe reports the
    payment (webhook or the return page, whichever is first)."""
    from commerce.credits.models import CreditPack

    # ASCII digits only: str.isdigit() also takes superscripts such as "²", which int()
    # refuses, and int() refuses more than 4300 digits; either would be a server error.
    raw = str(pack_id)
    pack = (
        CreditPack.objects.filter(pk=int(raw), is_active=True).first()
        if raw.isascii() and raw.isdigit() and len(raw) <= 18
        else None
    )
    if pack is None:
        raise InvalidRequest("There is no such credit pack.", code="invalid_pack")
    return payment_checkout_create(
        user=user,
        purpose=Payment.Purpose.CREDIT_PACK,
        description=f"{pack.name} ({credit_count(pack.credit_count)})",
        amount=pack.price,
        currency=pack.currency,
        success_url=success_url,
        cancel_url=cancel_url,
        credit_count=pack.credit_count,
        credit_validity_days=pack.validity_days,
        source_type="credit_pack",
        source_id=str(pack.pk),
    )
