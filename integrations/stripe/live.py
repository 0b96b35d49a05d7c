"""The live Stripe adapter: `StripeGateway` over stripe-python's `StripeClient`.

This is the only module that imports `stripe`. Every request carries the pinned API
version, an explicit timeout and a bounded number of network retries; every mutating
request carries the caller's idempotency key, which stripe-python reuses on its own
retries, so a retried request can never charge, refund or transfer twice. SDK objects are
turned into the frozen dataclasses of `types.py` here and never leave this module.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

import stripe
from django.conf import settings

from integrations.stripe.types import (
    AccountLink,
    CheckoutRequest,
    CheckoutSession,
    ConnectedAccount,
    Customer,
    Event,
    PortalSession,
    Refund,
    StripeError,
    Subscription,
    Transfer,
    WebhookSignatureError,
)

if TYPE_CHECKING:
    from stripe.params import (
        AccountCreateParams,
        CustomerUpdateParams,
        RefundCreateParams,
        TransferCreateParams,
    )
    from stripe.params.checkout import SessionCreateParams

T = TypeVar("T")

# Empty strings unset a customer's fields in Stripe's API (metadata: every key).
CUSTOMER_REDACTION: dict[str, Any] = {
    "name": "",
    "email": "",
    "phone": "",
    "description": "",
    "address": "",
    "shipping": "",
    "metadata": "",
}


class StripeLiveGateway:
    """Talks to api.stripe.com. Configured from the STRIPE_* settings: secret key, pinned
    API version, timeout and `STRIPE_MAX_NETWORK_RETRIES` (stripe-python retries
    connection errors, 409s and 5xx with exponential backoff, resending the same
    Idempotency-Key). Raises `types.StripeError` for every failure."""

    def __init__(self, client: stripe.StripeClient | None = None):
        self._client = client or stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            stripe_version=settings.STRIPE_API_VERSION,
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        )

    # Customers -----------------------------------------------------------------------

    def create_customer(
        self, *, idempotency_key: str, email: str, name: str, metadata: Mapping[str, str]
    ) -> Customer:
        customer = _call(
            lambda: self._client.v1.customers.create(
                params={"email": email, "name": name, "metadata": dict(metadata)},
                options={"idempotency_key": idempotency_key},
            )
        )
        return customer_from_stripe(_as_dict(customer))

    def customer_redact(self, *, idempotency_key: str, customer_id: str) -> Customer:
        try:
            customer = _call(
                lambda: self._client.v1.customers.update(
                    customer_id,
                    params=cast("CustomerUpdateParams", CUSTOMER_REDACTION),
                    options={"idempotency_key": idempotency_key},
                )
            )
        except StripeError as error:
            if error.code == "resource_missing":
                return Customer(id=customer_id, email=None)
            raise
        return customer_from_stripe(_as_dict(customer))

    # Checkout ------------------------------------------------------------------------

    def create_checkout_session(
        self, *, idempotency_key: str, request: CheckoutRequest
    ) -> CheckoutSession:
        session = _call(
            lambda: self._client.v1.checkout.sessions.create(
                params=cast("SessionCreateParams", checkout_session_params(request)),
                options={"idempotency_key": idempotency_key},
            )
        )
        return checkout_session_from_stripe(_as_dict(session))

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession:
        session = _call(lambda: self._client.v1.checkout.sessions.retrieve(session_id))
        return checkout_session_from_stripe(_as_dict(session))

    # Billing -------------------------------------------------------------------------

    def create_billing_portal_session(self, *, customer_id: str, return_url: str) -> PortalSession:
        # Portal sessions are short-lived and creating two is harmless, so Stripe's own
        # idempotency (the SDK adds a random key when retrying) is enough here.
        portal = _call(
            lambda: self._client.v1.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": return_url}
            )
        )
        data = _as_dict(portal)
        return PortalSession(id=data["id"], url=data["url"])

    def set_subscription_cancel_at_period_end(
        self, *, idempotency_key: str, subscription_id: str, cancel_at_period_end: bool
    ) -> Subscription:
        subscription = _call(
            lambda: self._client.v1.subscriptions.update(
                subscription_id,
                params={"cancel_at_period_end": cancel_at_period_end},
                options={"idempotency_key": idempotency_key},
            )
        )
        return subscription_from_stripe(_as_dict(subscription))

    def cancel_subscription(self, *, idempotency_key: str, subscription_id: str) -> Subscription:
        subscription = _call(
            lambda: self._client.v1.subscriptions.cancel(
                subscription_id, options={"idempotency_key": idempotency_key}
            )
        )
        return subscription_from_stripe(_as_dict(subscription))

    # Refunds -------------------------------------------------------------------------

    def create_refund(
        self,
        *,
        idempotency_key: str,
        payment_intent_id: str,
        amount: int,
        reason: str,
        reverse_transfer: bool,
        refund_application_fee: bool,
        metadata: Mapping[str, str],
    ) -> Refund:
        # For destination charges the practitioner's share comes back only with
        # reverse_transfer, and our fee only with refund_application_fee; Stripe reverses
        # both in proportion to the refunded amount.
        params: dict[str, Any] = {
            "payment_intent": payment_intent_id,
            "amount": amount,
            "reverse_transfer": reverse_transfer,
            "refund_application_fee": refund_application_fee,
            "metadata": dict(metadata),
        }
        if reason:  # duplicate | fraudulent | requested_by_customer
            params["reason"] = reason
        refund = _call(
            lambda: self._client.v1.refunds.create(
                params=cast("RefundCreateParams", params),
                options={"idempotency_key": idempotency_key},
            )
        )
        return refund_from_stripe(_as_dict(refund))

    # Connect -------------------------------------------------------------------------

    def create_connected_account(
        self, *, idempotency_key: str, email: str, country: str, metadata: Mapping[str, str]
    ) -> ConnectedAccount:
        # `type="express"` is deprecated in the 2026 API: the same account is described by
        # its controller properties. The platform pays Stripe's fees and carries negative
        # balances, Stripe collects the requirements, and the practitioner gets the
        # Express dashboard: exactly what `type=express` used to mean.
        params: dict[str, Any] = {
            "country": country,
            "email": email,
            "metadata": dict(metadata),
            "controller": {
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
                "requirement_collection": "stripe",
                "stripe_dashboard": {"type": "express"},
            },
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
        }
        account = _call(
            lambda: self._client.v1.accounts.create(
                params=cast("AccountCreateParams", params),
                options={"idempotency_key": idempotency_key},
            )
        )
        return connected_account_from_stripe(_as_dict(account))

    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> AccountLink:
        # Account links are single-use and expire within minutes; a fresh one per visit is
        # what Stripe expects, so no idempotency key of ours.
        link = _call(
            lambda: self._client.v1.account_links.create(
                params={
                    "account": account_id,
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                    "type": "account_onboarding",
                }
            )
        )
        data = _as_dict(link)
        return AccountLink(url=data["url"], expires_at=int(data["expires_at"]))

    def retrieve_account(self, account_id: str) -> ConnectedAccount:
        account = _call(lambda: self._client.v1.accounts.retrieve(account_id))
        return connected_account_from_stripe(_as_dict(account))

    def create_transfer(
        self,
        *,
        idempotency_key: str,
        amount: int,
        currency: str,
        destination: str,
        transfer_group: str,
        metadata: Mapping[str, str],
    ) -> Transfer:
        params: dict[str, Any] = {
            "amount": amount,
            "currency": currency.lower(),
            "destination": destination,
            "metadata": dict(metadata),
        }
        if transfer_group:
            params["transfer_group"] = transfer_group
        transfer = _call(
            lambda: self._client.v1.transfers.create(
                params=cast("TransferCreateParams", params),
                options={"idempotency_key": idempotency_key},
            )
        )
        return transfer_from_stripe(_as_dict(transfer))


# Request building -----------------------------------------------------------------------


def checkout_session_params(request: CheckoutRequest) -> dict[str, Any]:
    """The body of POST /v1/checkout/sessions for our `CheckoutRequest`. Prices are inline
    (`price_data`), so no Price or Product objects have to be managed in Stripe."""
    line_items = []
    for item in request.line_items:
        price_data: dict[str, Any] = {
            "currency": item.currency.lower(),
            "unit_amount": item.amount,
            "product_data": {"name": item.name},
        }
        # Stripe itself refuses recurring prices in payment mode and one-off prices in
        # subscription mode; pass the request through as it is.
        if item.recurring_interval:
            price_data["recurring"] = {"interval": item.recurring_interval}
        line_items.append({"price_data": price_data, "quantity": item.quantity})

    params: dict[str, Any] = {
        "mode": request.mode,
        "line_items": line_items,
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "client_reference_id": request.client_reference_id,
        "metadata": dict(request.metadata),
    }
    # Stripe refuses `customer` and `customer_email` together.
    if request.customer_id:
        params["customer"] = request.customer_id
    elif request.customer_email:
        params["customer_email"] = request.customer_email

    if request.mode == "payment":
        # Session metadata stays on the session; copying it to the PaymentIntent makes
        # payment_intent.* and charge.* events traceable to our row as well.
        payment_intent_data: dict[str, Any] = {"metadata": dict(request.metadata)}
        if request.destination_account_id:
            payment_intent_data["transfer_data"] = {"destination": request.destination_account_id}
            if request.application_fee_amount is not None:
                payment_intent_data["application_fee_amount"] = request.application_fee_amount
        if request.transfer_group:
            payment_intent_data["transfer_group"] = request.transfer_group
        params["payment_intent_data"] = payment_intent_data
    else:
        params["subscription_data"] = {"metadata": dict(request.subscription_metadata)}
    return params


# Response mapping -----------------------------------------------------------------------


def _as_dict(obj: Any) -> dict[str, Any]:
    """SDK objects are no longer dicts (stripe-python 13+); read them as plain JSON."""
    if isinstance(obj, dict):
        return obj
    return obj.to_dict()


def _id_of(value: Any) -> str | None:
    """An id from a field that may be expanded into an object."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return value.get("id")
    return str(value)


def _metadata(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (value or {}).items()}


def checkout_session_from_stripe(data: Mapping[str, Any]) -> CheckoutSession:
    return CheckoutSession(
        id=data["id"],
        url=data.get("url"),
        status=data.get("status") or "open",
        payment_status=data.get("payment_status") or "unpaid",
        mode=data.get("mode") or "payment",
        client_reference_id=data.get("client_reference_id"),
        customer_id=_id_of(data.get("customer")),
        payment_intent_id=_id_of(data.get("payment_intent")),
        subscription_id=_id_of(data.get("subscription")),
        amount_total=data.get("amount_total"),
        currency=data.get("currency"),
        metadata=_metadata(data.get("metadata")),
    )


def customer_from_stripe(data: Mapping[str, Any]) -> Customer:
    return Customer(id=data["id"], email=data.get("email"))


def subscription_current_period_end(data: Mapping[str, Any]) -> int | None:
    """Since API version 2025-03-31 the period lives on the subscription items; older
    payloads had it on the subscription itself."""
    items = (data.get("items") or {}).get("data") or []
    if items and items[0].get("current_period_end") is not None:
        return int(items[0]["current_period_end"])
    legacy = data.get("current_period_end")
    return int(legacy) if legacy is not None else None


def subscription_from_stripe(data: Mapping[str, Any]) -> Subscription:
    return Subscription(
        id=data["id"],
        status=data.get("status") or "",
        customer_id=_id_of(data.get("customer")) or "",
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        current_period_end=subscription_current_period_end(data),
        metadata=_metadata(data.get("metadata")),
    )


def refund_from_stripe(data: Mapping[str, Any]) -> Refund:
    return Refund(
        id=data["id"],
        status=data.get("status") or "",
        amount=int(data.get("amount") or 0),
        currency=data.get("currency") or "",
        payment_intent_id=_id_of(data.get("payment_intent")),
        charge_id=_id_of(data.get("charge")),
    )


def connected_account_from_stripe(data: Mapping[str, Any]) -> ConnectedAccount:
    return ConnectedAccount(
        id=data["id"],
        charges_enabled=bool(data.get("charges_enabled")),
        payouts_enabled=bool(data.get("payouts_enabled")),
        details_submitted=bool(data.get("details_submitted")),
        email=data.get("email"),
    )


def transfer_from_stripe(data: Mapping[str, Any]) -> Transfer:
    return Transfer(
        id=data["id"],
        amount=int(data.get("amount") or 0),
        currency=data.get("currency") or "",
        destination=_id_of(data.get("destination")) or "",
        transfer_group=data.get("transfer_group"),
    )


# Errors ---------------------------------------------------------------------------------


def _call(request: Callable[[], T]) -> T:
    try:
        return request()
    except stripe.StripeError as error:
        raise stripe_error_from_sdk(error) from error


def stripe_error_from_sdk(error: stripe.StripeError) -> StripeError:
    """Whether trying again with the same idempotency key may succeed: yes after network
    trouble, rate limiting, a conflict with a concurrent request (409) or a 5xx; never
    after a card decline or a request Stripe refused as invalid or unauthorised."""
    status = error.http_status or 0
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError):
        retryable = True
    elif isinstance(
        error,
        stripe.CardError
        | stripe.InvalidRequestError
        | stripe.AuthenticationError
        | stripe.PermissionError
        | stripe.IdempotencyError,
    ):
        retryable = False
    elif isinstance(error, stripe.APIError):
        retryable = status >= 500 or status == 409
    else:
        retryable = status >= 500
    code = error.code or ""
    if not code and isinstance(error, stripe.RateLimitError):
        code = "rate_limit"
    if not code and isinstance(error, stripe.IdempotencyError):
        code = "idempotency_error"  # Stripe sends it as the error type, with no code
    if not code and isinstance(error, stripe.APIConnectionError):
        code = "api_connection_error"
    message = error.user_message or str(error) or error.__class__.__name__
    return StripeError(str(message), code=str(code), retryable=retryable)


# Webhooks -------------------------------------------------------------------------------


def _signature_timestamp(signature_header: str) -> int:
    timestamps = []
    for item in signature_header.split(","):
        key, separator, value = item.strip().partition("=")
        if separator and key == "t":
            timestamps.append(value)
    if len(timestamps) != 1:
        raise WebhookSignatureError("Stripe-Signature header has no single timestamp")
    try:
        return int(timestamps[0])
    except ValueError as error:
        raise WebhookSignatureError("Stripe-Signature timestamp is not a number") from error


def construct_event(
    payload: bytes, signature_header: str, secret: str, tolerance: int = 300
) -> Event:
    """Verify a webhook delivery on its raw body and return the event.

    Checks the `Stripe-Signature` HMAC with `stripe.Webhook.construct_event` (which
    refuses timestamps older than `tolerance`), and additionally refuses timestamps more
    than `tolerance` seconds in the future, which the SDK lets through. Any failure —
    missing or garbled header, wrong secret, changed body, stale or future timestamp,
    a body that is not a JSON event — raises `WebhookSignatureError`.
    """
    if not signature_header or not isinstance(signature_header, str):
        raise WebhookSignatureError("missing Stripe-Signature header")
    if not secret:
        raise WebhookSignatureError("no webhook signing secret configured")
    timestamp = _signature_timestamp(signature_header)
    if timestamp > time.time() + tolerance:
        raise WebhookSignatureError("Stripe-Signature timestamp is in the future")
    try:
        stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=tolerance)
        # Read the verified body ourselves: plain JSON, not SDK objects.
        envelope = json.loads(payload)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(str(error.user_message or error)) from error
    except Exception as error:
        # Verified, but the SDK could not read the body as an event (invalid UTF-8 or
        # JSON, a JSON array, a v2 thin event): nothing we could process either.
        raise WebhookSignatureError(f"webhook body is not a Stripe event: {error!r}") from error

    if not isinstance(envelope, dict) or envelope.get("object") != "event":
        raise WebhookSignatureError("webhook body is not a Stripe event")
    data = envelope.get("data")
    if not isinstance(envelope.get("id"), str) or not isinstance(envelope.get("type"), str):
        raise WebhookSignatureError("webhook event has no id or type")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookSignatureError("webhook event has no data.object")
    previous = data.get("previous_attributes")
    return Event(
        id=envelope["id"],
        type=envelope["type"],
        created=int(envelope.get("created") or 0),
        livemode=bool(envelope.get("livemode")),
        api_version=envelope.get("api_version"),
        account=envelope.get("account"),
        data_object=data["object"],
        previous_attributes=previous if isinstance(previous, dict) else None,
    )
