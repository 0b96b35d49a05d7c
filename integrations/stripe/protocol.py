"""The Stripe operations Aeyia uses. `live.StripeLiveGateway` talks to Stripe through
stripe-python; `local.StripeLocalGateway` is a complete offline Stripe for development
and tests. Every mutating call takes an idempotency key derived from our own row, so a
retried task repeats the same request instead of making a second charge."""

from collections.abc import Mapping
from typing import Protocol

from integrations.stripe.types import (
    AccountLink,
    CheckoutRequest,
    CheckoutSession,
    ConnectedAccount,
    Customer,
    PortalSession,
    Refund,
    Subscription,
    Transfer,
)


class StripeGateway(Protocol):
    def create_customer(
        self, *, idempotency_key: str, email: str, name: str, metadata: Mapping[str, str]
    ) -> Customer: ...

    def customer_redact(self, *, idempotency_key: str, customer_id: str) -> Customer:
        """Removes the person's details from a customer (erasure): name, email, phone,
        address, shipping, description and metadata are cleared; the customer and its
        payments stay for the books. A customer Stripe no longer has counts as done."""
        ...

    def create_checkout_session(
        self, *, idempotency_key: str, request: CheckoutRequest
    ) -> CheckoutSession: ...

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession: ...

    def create_billing_portal_session(self, *, customer_id: str, return_url: str) -> PortalSession:
        """Where a member updates their card."""
        ...

    def set_subscription_cancel_at_period_end(
        self, *, idempotency_key: str, subscription_id: str, cancel_at_period_end: bool
    ) -> Subscription:
        """Cancel at period end (True) or resume (False)."""
        ...

    def cancel_subscription(self, *, idempotency_key: str, subscription_id: str) -> Subscription:
        """Cancel now (used to downgrade after a failed renewal's grace period)."""
        ...

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
        """Refund a charge; for destination charges reverse the transfer and refund the
        application fee proportionally."""
        ...

    def create_connected_account(
        self, *, idempotency_key: str, email: str, country: str, metadata: Mapping[str, str]
    ) -> ConnectedAccount:
        """An Express account for a practitioner's payouts."""
        ...

    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> AccountLink:
        """A one-time onboarding link (Stripe-hosted, or our offline page locally)."""
        ...

    def retrieve_account(self, account_id: str) -> ConnectedAccount: ...

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
        """Pay a practitioner for a session paid with credits, membership or a sponsor."""
        ...
