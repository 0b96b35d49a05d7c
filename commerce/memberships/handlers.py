"""Stripe Billing events that drive memberships. Order of delivery is never assumed."""

from datetime import UTC, datetime

from commerce.memberships import services
from commerce.payments.webhooks import handles
from integrations.stripe.types import Event


def _period_end(subscription: dict) -> int | None:
    # Recent API versions keep the period on the subscription items.
    items = (subscription.get("items") or {}).get("data") or []
    if items and items[0].get("current_period_end"):
        return items[0]["current_period_end"]
    return subscription.get("current_period_end")


@handles("checkout.session.completed")
def checkout_completed(event: Event) -> None:
    services.membership_activate_from_checkout(
        session=dict(event.data_object), observed_at=datetime.fromtimestamp(event.created, tz=UTC)
    )


@handles(
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
)
def subscription_changed(event: Event) -> None:
    subscription = event.data_object
    status = subscription.get("status") or ""
    if event.type == "customer.subscription.deleted":
        status = "canceled"
    end = _period_end(dict(subscription))
    services.membership_apply_subscription(
        subscription_id=subscription["id"],
        stripe_status=status,
        metadata=dict(subscription.get("metadata") or {}),
        cancel_at_period_end=bool(subscription.get("cancel_at_period_end")),
        current_period_end=datetime.fromtimestamp(end, tz=UTC) if end else None,
        observed_at=datetime.fromtimestamp(event.created, tz=UTC),
    )


@handles("invoice.paid")
def invoice_paid(event: Event) -> None:
    services.membership_record_invoice_paid(
        invoice=dict(event.data_object), observed_at=datetime.fromtimestamp(event.created, tz=UTC)
    )


@handles("invoice.payment_failed")
def invoice_payment_failed(event: Event) -> None:
    services.membership_record_payment_failed(invoice=dict(event.data_object))
