"""Stripe events built from Stripe's own example objects (tests/vendor_data) and
delivered signed, the way Stripe delivers them."""

import json

from django.conf import settings

from commerce.payments.models import Payment
from tests.vendor import stripe_event, stripe_object, stripe_signature


def checkout_completed(payment: Payment, *, intent: str | None = None) -> dict:
    session = stripe_object(
        "checkout.session",
        id=payment.checkout_session_id,
        mode="payment",
        status="complete",
        payment_status="paid",
        amount_total=payment.amount,
        currency=payment.currency,
        payment_intent=intent or f"pi_test_{payment.pk:06d}",
        metadata={"aeyia_payment_id": str(payment.pk)},
        client_reference_id=f"payment-{payment.pk}",
    )
    return stripe_event("checkout.session.completed", session, event_id=f"evt_paid_{payment.pk}")


def charge_refunded(payment: Payment, *, amount_refunded: int, intent: str | None = None) -> dict:
    charge = stripe_object(
        "charge",
        amount=payment.amount,
        amount_refunded=amount_refunded,
        refunded=amount_refunded >= payment.amount,
        paid=True,
        currency=payment.currency,
        payment_intent=intent or f"pi_test_{payment.pk:06d}",
        metadata={"aeyia_payment_id": str(payment.pk)},
    )
    return stripe_event(
        "charge.refunded", charge, event_id=f"evt_refunded_{payment.pk}_{amount_refunded}"
    )


def signed(event: dict, *, secret: str | None = None, timestamp: int | None = None):
    payload = json.dumps(event).encode()
    secret = secret or settings.STRIPE_WEBHOOK_SECRET
    return payload, stripe_signature(payload, secret, timestamp=timestamp)


def deliver(client, event: dict, *, path: str = "/webhooks/stripe/", secret: str | None = None):
    payload, signature = signed(event, secret=secret)
    return client.post(
        path, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
