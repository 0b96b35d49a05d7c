"""Stripe events about payments, refunds, disputes, payout accounts and transfers.
Each handler records facts and reconciles; none assumes an order of delivery."""

from datetime import UTC, datetime

from commerce.payments import services
from commerce.payments.models import Transfer
from commerce.payments.webhooks import handles
from integrations.stripe.types import Event


@handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def checkout_session_completed(event: Event) -> None:
    session = event.data_object
    if session.get("mode") != "payment":
        return
    payment = services.payment_for_stripe_object(dict(session))
    if payment is None or session.get("payment_status") != "paid":
        return
    services.payment_record_paid(
        payment=payment,
        payment_intent_id=session.get("payment_intent"),
        paid_at=datetime.fromtimestamp(event.created, tz=UTC),
    )


@handles("checkout.session.expired")
def checkout_session_expired(event: Event) -> None:
    payment = services.payment_for_stripe_object(dict(event.data_object))
    if payment is not None:
        services.payment_record_expired(payment=payment)


@handles("payment_intent.succeeded")
def payment_intent_succeeded(event: Event) -> None:
    intent = event.data_object
    payment = services.payment_for_stripe_object(dict(intent))
    if payment is not None:
        services.payment_record_paid(
            payment=payment,
            payment_intent_id=intent.get("id"),
            paid_at=datetime.fromtimestamp(event.created, tz=UTC),
        )


@handles("charge.refunded")
def charge_refunded(event: Event) -> None:
    charge = event.data_object
    payment = services.payment_for_stripe_object(dict(charge))
    if payment is None:
        return
    if charge.get("paid"):
        # A refund may arrive before the payment's own events: the charge proves payment.
        services.payment_record_paid(
            payment=payment,
            payment_intent_id=charge.get("payment_intent"),
            paid_at=datetime.fromtimestamp(event.created, tz=UTC),
        )
    services.payment_record_refunded(
        payment=payment, amount_refunded=int(charge.get("amount_refunded") or 0)
    )


@handles("refund.created", "refund.updated", "refund.failed", "charge.refund.updated")
def refund_changed(event: Event) -> None:
    services.refund_record_from_stripe(refund_object=dict(event.data_object))


@handles("charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed")
def dispute_changed(event: Event) -> None:
    services.dispute_record(dispute_object=dict(event.data_object))


@handles("account.updated")
def account_updated(event: Event) -> None:
    account = event.data_object
    services.connected_account_update(
        stripe_id=account["id"],
        charges_enabled=bool(account.get("charges_enabled")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        details_submitted=bool(account.get("details_submitted")),
    )


@handles("transfer.created", "transfer.reversed", "transfer.updated")
def transfer_changed(event: Event) -> None:
    transfer_object = event.data_object
    transfer = Transfer.objects.filter(stripe_id=transfer_object.get("id")).first()
    if transfer is None:
        metadata = transfer_object.get("metadata") or {}
        transfer_id = str(metadata.get(services.TRANSFER_ID_KEY, ""))
        if not transfer_id.isdigit():
            return
        transfer = Transfer.objects.filter(pk=int(transfer_id)).first()
        if transfer is None:
            return
    fully_reversed = transfer_object.get("reversed") or (
        (transfer_object.get("amount_reversed") or 0) >= transfer.amount
    )
    transfer.stripe_id = transfer.stripe_id or transfer_object.get("id")
    transfer.status = Transfer.Status.REVERSED if fully_reversed else Transfer.Status.CREATED
    transfer.save(update_fields=["stripe_id", "status"])
