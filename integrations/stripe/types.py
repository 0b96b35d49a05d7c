"""Values that cross the Stripe boundary. SDK objects never leave `live.py`; callers get
these frozen dataclasses (amounts in integer minor units, currencies lower-case ISO,
times as Unix seconds the way Stripe sends them)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


class StripeError(Exception):
    """Stripe refused or could not be reached. `retryable` says whether trying again with
    the same idempotency key may succeed (network trouble, rate limit, 5xx)."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False):
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class WebhookSignatureError(Exception):
    """A webhook's signature, timestamp or body did not verify."""


@dataclass(frozen=True)
class LineItem:
    name: str
    amount: int  # per unit, minor units
    currency: str
    quantity: int = 1
    recurring_interval: Literal["month", "year"] | None = None


@dataclass(frozen=True)
class CheckoutRequest:
    mode: Literal["payment", "subscription"]
    line_items: tuple[LineItem, ...]
    success_url: str  # may contain {CHECKOUT_SESSION_ID}
    cancel_url: str
    client_reference_id: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    customer_id: str | None = None
    customer_email: str | None = None
    # Destination charge (payment mode): the practitioner's connected account and our fee.
    destination_account_id: str | None = None
    application_fee_amount: int | None = None
    transfer_group: str | None = None
    # Copied onto the subscription (subscription mode) so its events can be traced back.
    subscription_metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str  # open | complete | expired
    payment_status: str  # unpaid | paid | no_payment_required
    mode: str
    client_reference_id: str | None
    customer_id: str | None
    payment_intent_id: str | None
    subscription_id: str | None
    amount_total: int | None
    currency: str | None
    metadata: Mapping[str, str]


@dataclass(frozen=True)
class Customer:
    id: str
    email: str | None


@dataclass(frozen=True)
class PortalSession:
    id: str
    url: str


@dataclass(frozen=True)
class Subscription:
    id: str
    status: str  # active | past_due | canceled | incomplete | unpaid | trialing | paused
    customer_id: str
    cancel_at_period_end: bool
    current_period_end: int | None
    metadata: Mapping[str, str]


@dataclass(frozen=True)
class Refund:
    id: str
    status: str  # pending | succeeded | failed | canceled | requires_action
    amount: int
    currency: str
    payment_intent_id: str | None
    charge_id: str | None


@dataclass(frozen=True)
class ConnectedAccount:
    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    email: str | None


@dataclass(frozen=True)
class AccountLink:
    url: str
    expires_at: int


@dataclass(frozen=True)
class Transfer:
    id: str
    amount: int
    currency: str
    destination: str
    transfer_group: str | None


@dataclass(frozen=True)
class Event:
    """A verified webhook event. `data_object` is the event's `data.object` as plain JSON."""

    id: str
    type: str
    created: int
    livemode: bool
    api_version: str | None
    account: str | None  # set for Connect events
    data_object: Mapping[str, Any]
    previous_attributes: Mapping[str, Any] | None = None
