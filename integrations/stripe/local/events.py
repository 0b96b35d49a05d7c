"""Webhook events of the offline Stripe: the envelope Stripe sends, signed the way Stripe
signs it, delivered after commit to the same receiver the HTTP webhook views use."""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from integrations.stripe.local import store
from integrations.stripe.models import LocalWebhookDelivery

logger = logging.getLogger(__name__)

Endpoint = Literal["platform", "connect"]

# Every event type the offline Stripe can emit (a test checks each against Stripe's own
# list, and `emit` refuses anything else, so a typo cannot slip through).
EMITTED_EVENT_TYPES = frozenset(
    {
        "account.updated",
        "application_fee.created",
        "application_fee.refunded",
        "charge.dispute.closed",
        "charge.dispute.created",
        "charge.failed",
        "charge.refunded",
        "charge.succeeded",
        "checkout.session.completed",
        "checkout.session.expired",
        "customer.created",
        "customer.subscription.created",
        "customer.subscription.deleted",
        "customer.subscription.updated",
        "customer.updated",
        "invoice.paid",
        "invoice.payment_failed",
        "payment_intent.canceled",
        "payment_intent.created",
        "payment_intent.payment_failed",
        "payment_intent.succeeded",
        "payment_method.attached",
        "refund.created",
        "transfer.created",
        "transfer.reversed",
    }
)

# The API request that caused the events being emitted (`request` in the envelope):
# set by the gateway, empty for what happens on hosted pages or on Stripe's own clock.
current_request: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "stripe_local_request", default=None
)
_collected: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "stripe_local_collected", default=None
)


@contextmanager
def collect() -> Iterator[list[dict[str, Any]]]:
    """Collects the events emitted inside the block (for the command's output)."""
    events: list[dict[str, Any]] = []
    token = _collected.set(events)
    try:
        yield events
    finally:
        _collected.reset(token)


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """Stripe's `Stripe-Signature` header: HMAC-SHA256 over "<t>.<raw body>"."""
    signed = str(timestamp).encode() + b"." + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def emit(
    event_type: str,
    data_object: dict[str, Any],
    *,
    account: str | None = None,
    previous_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store an event and deliver it once the surrounding transaction commits.

    Events about a connected account (`account` set) go to the Connect endpoint with the
    account in the envelope; all others go to the platform endpoint.
    """
    if event_type not in EMITTED_EVENT_TYPES:
        raise ValueError(f"the offline Stripe does not emit {event_type!r}")
    request = current_request.get() or {}
    data: dict[str, Any] = {"object": json.loads(json.dumps(data_object))}
    if previous_attributes is not None:
        data["previous_attributes"] = json.loads(json.dumps(previous_attributes))
    envelope: dict[str, Any] = {
        "id": store.new_id("event"),
        "object": "event",
        "api_version": settings.STRIPE_API_VERSION,
        "created": store.now(),
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {
            "id": request.get("id"),
            "idempotency_key": request.get("idempotency_key"),
        },
        "type": event_type,
    }
    if account:
        envelope["account"] = account
    endpoint: Endpoint = "connect" if account else "platform"
    store.save(envelope, internal={"endpoint": endpoint})
    collected = _collected.get()
    if collected is not None:
        collected.append(envelope)
    # Stripe's events are not part of our transaction: sending them only after commit
    # keeps the receiver from seeing objects that a rollback would take back.
    transaction.on_commit(partial(deliver, envelope["id"]))
    return envelope


def payload_of(envelope: dict[str, Any]) -> bytes:
    # Stripe sends pretty-printed JSON; receivers must verify these exact bytes.
    return json.dumps(envelope, indent=2).encode()


def deliver(event_id: str) -> LocalWebhookDelivery:
    """Sign the stored event with its endpoint's secret and hand it to
    `STRIPE_LOCAL_WEBHOOK_RECEIVER(endpoint, payload, signature_header)`. A receiver that
    raises (or answers with an HTTP error status) is recorded as a failed delivery and
    logged, as Stripe would show it on the endpoint; the caller is never affected."""
    row = store.get_row(event_id, "event")
    envelope = row.data
    endpoint: Endpoint = row.internal.get("endpoint", "platform")
    secret = (
        settings.STRIPE_CONNECT_WEBHOOK_SECRET
        if endpoint == "connect"
        else settings.STRIPE_WEBHOOK_SECRET
    )
    payload = payload_of(envelope)
    header = sign(payload, secret, store.now())
    delivery = LocalWebhookDelivery(
        event_id=event_id, event_type=envelope["type"], endpoint=endpoint
    )
    try:
        receiver = import_string(settings.STRIPE_LOCAL_WEBHOOK_RECEIVER)
        result = receiver(endpoint, payload, header)
        status = getattr(result, "status_code", 200)
        if isinstance(status, int) and status >= 400:
            raise RuntimeError(f"receiver answered {status}")
        delivery.is_delivered = True
    except Exception as error:
        logger.exception("offline Stripe could not deliver %s (%s)", event_id, envelope["type"])
        delivery.error = repr(error)
    delivery.save()
    return delivery
