"""`StripeLocalGateway`: the `StripeGateway` port served by the offline Stripe."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import IntegrityError, transaction

from integrations.stripe.local import events, simulator, store
from integrations.stripe.models import LocalIdempotencyKey
from integrations.stripe.types import (
    AccountLink,
    CheckoutRequest,
    CheckoutSession,
    ConnectedAccount,
    Customer,
    PortalSession,
    Refund,
    StripeError,
    Subscription,
    Transfer,
)


@dataclass(frozen=True)
class LocalCall:
    """One call made on the gateway: the method's name and its keyword arguments."""

    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class StripeLocalGateway:
    """A complete offline Stripe behind the `StripeGateway` port.

    Objects persist in the database (the hosted pages under /stripe-local/ show and
    change them in later requests), with deterministic ids (`cs_local_000001`). Repeating
    an idempotency key replays the first response without doing anything again, and the
    same key with other parameters is refused (`idempotency_error`), as Stripe does.
    Everything Stripe would tell us arrives as signed webhook events, delivered after
    commit to `STRIPE_LOCAL_WEBHOOK_RECEIVER`.

    Every call is recorded in `StripeLocalGateway.calls` (like `mail.outbox`);
    `StripeLocalGateway.reset()` empties it.
    """

    calls: ClassVar[list[LocalCall]] = []

    @classmethod
    def reset(cls) -> None:
        StripeLocalGateway.calls.clear()

    # Plumbing --------------------------------------------------------------------------

    def _record(self, method: str, **kwargs: Any) -> None:
        StripeLocalGateway.calls.append(LocalCall(method=method, kwargs=kwargs))

    def _run(
        self,
        method: str,
        operation: Callable[[], dict[str, Any]],
        *,
        idempotency_key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run one API request: atomically, with the request (and its idempotency key)
        named in the events it causes, and replayed when the key was seen before."""
        request = None
        if idempotency_key is not None:
            request = {"id": store.new_id("request"), "idempotency_key": idempotency_key}
        token = events.current_request.set(request)
        try:
            with transaction.atomic():
                if idempotency_key is None:
                    return operation()
                request_hash = hashlib.sha256(
                    json.dumps(_jsonable(params or {}), sort_keys=True).encode()
                ).hexdigest()
                seen = (
                    LocalIdempotencyKey.objects.select_for_update()
                    .filter(key=idempotency_key)
                    .first()
                )
                if seen is not None:
                    if seen.method != method or seen.request_hash != request_hash:
                        raise StripeError(
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other "
                            f"than '{idempotency_key}' if you meant to execute a different "
                            "request.",
                            code="idempotency_error",
                        )
                    return seen.response
                response = operation()
                try:
                    with transaction.atomic():
                        LocalIdempotencyKey.objects.create(
                            key=idempotency_key,
                            method=method,
                            request_hash=request_hash,
                            response_id=response["id"],
                            response=response,
                        )
                except IntegrityError as error:
                    # A concurrent request with the same key got there first (Stripe
                    # answers 409); everything this one did is rolled back.
                    raise StripeError(
                        "There is currently another in-progress request using this Idempotent Key.",
                        code="idempotency_key_in_use",
                        retryable=True,
                    ) from error
                return response
        finally:
            events.current_request.reset(token)

    # Customers -------------------------------------------------------------------------

    def create_customer(
        self, *, idempotency_key: str, email: str, name: str, metadata: Mapping[str, str]
    ) -> Customer:
        params = {"email": email, "name": name, "metadata": dict(metadata)}
        self._record("create_customer", idempotency_key=idempotency_key, **params)
        data = self._run(
            "create_customer",
            lambda: simulator.create_customer(email=email, name=name, metadata=metadata),
            idempotency_key=idempotency_key,
            params=params,
        )
        return Customer(id=data["id"], email=data.get("email"))

    def customer_redact(self, *, idempotency_key: str, customer_id: str) -> Customer:
        self._record("customer_redact", idempotency_key=idempotency_key, customer_id=customer_id)
        try:
            data = self._run(
                "customer_redact",
                lambda: simulator.redact_customer(customer_id),
                idempotency_key=idempotency_key,
                params={"customer_id": customer_id},
            )
        except StripeError as error:
            if error.code == "resource_missing":
                return Customer(id=customer_id, email=None)
            raise
        return Customer(id=data["id"], email=data.get("email"))

    # Checkout --------------------------------------------------------------------------

    def create_checkout_session(
        self, *, idempotency_key: str, request: CheckoutRequest
    ) -> CheckoutSession:
        self._record("create_checkout_session", idempotency_key=idempotency_key, request=request)
        data = self._run(
            "create_checkout_session",
            lambda: simulator.create_checkout_session(request),
            idempotency_key=idempotency_key,
            params={"request": request},
        )
        return checkout_session_from_data(data)

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession:
        self._record("retrieve_checkout_session", session_id=session_id)
        data = self._run(
            "retrieve_checkout_session", lambda: store.get(session_id, "checkout.session")
        )
        return checkout_session_from_data(data)

    # Billing ---------------------------------------------------------------------------

    def create_billing_portal_session(self, *, customer_id: str, return_url: str) -> PortalSession:
        self._record(
            "create_billing_portal_session", customer_id=customer_id, return_url=return_url
        )
        data = self._run(
            "create_billing_portal_session",
            lambda: simulator.create_portal_session(customer_id=customer_id, return_url=return_url),
        )
        return PortalSession(id=data["id"], url=data["url"])

    def set_subscription_cancel_at_period_end(
        self, *, idempotency_key: str, subscription_id: str, cancel_at_period_end: bool
    ) -> Subscription:
        params = {"subscription_id": subscription_id, "cancel_at_period_end": cancel_at_period_end}
        self._record(
            "set_subscription_cancel_at_period_end", idempotency_key=idempotency_key, **params
        )
        data = self._run(
            "set_subscription_cancel_at_period_end",
            lambda: simulator.set_cancel_at_period_end(subscription_id, cancel_at_period_end),
            idempotency_key=idempotency_key,
            params=params,
        )
        return subscription_from_data(data)

    def cancel_subscription(self, *, idempotency_key: str, subscription_id: str) -> Subscription:
        self._record(
            "cancel_subscription", idempotency_key=idempotency_key, subscription_id=subscription_id
        )
        data = self._run(
            "cancel_subscription",
            lambda: simulator.cancel_subscription(subscription_id),
            idempotency_key=idempotency_key,
            params={"subscription_id": subscription_id},
        )
        return subscription_from_data(data)

    # Refunds ---------------------------------------------------------------------------

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
        params: dict[str, Any] = {
            "payment_intent_id": payment_intent_id,
            "amount": amount,
            "reason": reason,
            "reverse_transfer": reverse_transfer,
            "refund_application_fee": refund_application_fee,
            "metadata": dict(metadata),
        }
        self._record("create_refund", idempotency_key=idempotency_key, **params)
        data = self._run(
            "create_refund",
            lambda: simulator.create_refund(**params),
            idempotency_key=idempotency_key,
            params=params,
        )
        return Refund(
            id=data["id"],
            status=data["status"],
            amount=data["amount"],
            currency=data["currency"],
            payment_intent_id=data.get("payment_intent"),
            charge_id=data.get("charge"),
        )

    # Connect ---------------------------------------------------------------------------

    def create_connected_account(
        self, *, idempotency_key: str, email: str, country: str, metadata: Mapping[str, str]
    ) -> ConnectedAccount:
        params = {"email": email, "country": country, "metadata": dict(metadata)}
        self._record("create_connected_account", idempotency_key=idempotency_key, **params)
        data = self._run(
            "create_connected_account",
            lambda: simulator.create_account(email=email, country=country, metadata=metadata),
            idempotency_key=idempotency_key,
            params=params,
        )
        return connected_account_from_data(data)

    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> AccountLink:
        self._record(
            "create_account_link",
            account_id=account_id,
            refresh_url=refresh_url,
            return_url=return_url,
        )
        data = self._run(
            "create_account_link",
            lambda: simulator.create_account_link(
                account_id=account_id, refresh_url=refresh_url, return_url=return_url
            ),
        )
        return AccountLink(url=data["url"], expires_at=data["expires_at"])

    def retrieve_account(self, account_id: str) -> ConnectedAccount:
        self._record("retrieve_account", account_id=account_id)
        data = self._run("retrieve_account", lambda: store.get(account_id, "account"))
        return connected_account_from_data(data)

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
            "currency": currency,
            "destination": destination,
            "transfer_group": transfer_group,
            "metadata": dict(metadata),
        }
        self._record("create_transfer", idempotency_key=idempotency_key, **params)
        data = self._run(
            "create_transfer",
            lambda: simulator.create_transfer(**params),
            idempotency_key=idempotency_key,
            params=params,
        )
        return Transfer(
            id=data["id"],
            amount=data["amount"],
            currency=data["currency"],
            destination=data["destination"],
            transfer_group=data.get("transfer_group"),
        )


# Mapping (the stored objects have Stripe's shapes) ----------------------------------------


def checkout_session_from_data(data: Mapping[str, Any]) -> CheckoutSession:
    return CheckoutSession(
        id=data["id"],
        url=data.get("url"),
        status=data["status"],
        payment_status=data["payment_status"],
        mode=data["mode"],
        client_reference_id=data.get("client_reference_id"),
        customer_id=data.get("customer"),
        payment_intent_id=data.get("payment_intent"),
        subscription_id=data.get("subscription"),
        amount_total=data.get("amount_total"),
        currency=data.get("currency"),
        metadata=dict(data.get("metadata") or {}),
    )


def subscription_from_data(data: Mapping[str, Any]) -> Subscription:
    items = data["items"]["data"]
    return Subscription(
        id=data["id"],
        status=data["status"],
        customer_id=data["customer"],
        cancel_at_period_end=data["cancel_at_period_end"],
        current_period_end=items[0]["current_period_end"] if items else None,
        metadata=dict(data.get("metadata") or {}),
    )


def connected_account_from_data(data: Mapping[str, Any]) -> ConnectedAccount:
    return ConnectedAccount(
        id=data["id"],
        charges_enabled=data["charges_enabled"],
        payouts_enabled=data["payouts_enabled"],
        details_submitted=data["details_submitted"],
        email=data.get("email"),
    )
