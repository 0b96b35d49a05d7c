"""Builders for tests of the offline Stripe: requests, and objects in a known state
reached through the same paths a person would take (gateway calls, hosted-page actions)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction

from integrations.stripe.local import StripeLocalGateway, simulator, store
from integrations.stripe.types import CheckoutRequest, LineItem


def payment_request(**changes: Any) -> CheckoutRequest:
    request = CheckoutRequest(
        mode="payment",
        line_items=(LineItem(name="Massage, 60 min", amount=6000, currency="gbp"),),
        success_url="https://aeyia.test/bookings/42/paid?cs={CHECKOUT_SESSION_ID}",
        cancel_url="https://aeyia.test/bookings/42",
        client_reference_id="booking:42",
        metadata={"booking_id": "42"},
        customer_email="client@example.com",
    )
    return dataclasses.replace(request, **changes)


def membership_request(**changes: Any) -> CheckoutRequest:
    request = CheckoutRequest(
        mode="subscription",
        line_items=(
            LineItem(
                name="Aeyia membership",
                amount=2900,
                currency="gbp",
                recurring_interval="month",
            ),
        ),
        success_url="https://aeyia.test/membership/welcome?cs={CHECKOUT_SESSION_ID}",
        cancel_url="https://aeyia.test/membership",
        client_reference_id="membership:7",
        metadata={"membership_id": "7"},
        customer_email="member@example.com",
        subscription_metadata={"membership_id": "7"},
    )
    return dataclasses.replace(request, **changes)


def onboarded_account(gateway: StripeLocalGateway, *, key: str = "acct-practitioner-3") -> str:
    account = gateway.create_connected_account(
        idempotency_key=key,
        email="pat@example.com",
        country="GB",
        metadata={"practitioner_id": "3"},
    )
    with transaction.atomic():
        simulator.complete_onboarding(
            account.id,
            business_name="Pat's Bodywork",
            holder_name="Pat Practitioner",
            routing_number="108800",
            account_number="00012345",
        )
    return account.id


def destination_request(account_id: str, **changes: Any) -> CheckoutRequest:
    destination = {
        "destination_account_id": account_id,
        "application_fee_amount": 900,
        "transfer_group": "booking-42",
    }
    return payment_request(**{**destination, **changes})


def pay(session_id: str, **kwargs: Any) -> dict[str, Any]:
    with transaction.atomic():
        return simulator.checkout_pay(session_id, **kwargs)


def paid_destination_charge(gateway: StripeLocalGateway) -> tuple[str, str]:
    """(account id, payment intent id) of a paid £60 booking with a £9 fee."""
    account_id = onboarded_account(gateway)
    session = gateway.create_checkout_session(
        idempotency_key="checkout-booking-42", request=destination_request(account_id)
    )
    return account_id, pay(session.id)["payment_intent"]


def paid_plain_charge(gateway: StripeLocalGateway, *, key: str = "checkout-plain") -> str:
    session = gateway.create_checkout_session(idempotency_key=key, request=payment_request())
    return pay(session.id)["payment_intent"]


def active_membership(gateway: StripeLocalGateway) -> dict[str, Any]:
    """The subscription of a paid membership checkout."""
    session = gateway.create_checkout_session(
        idempotency_key="membership-checkout-7", request=membership_request()
    )
    paid = pay(session.id)
    return store.get(paid["subscription"], "subscription")


def types(deliveries) -> list[str]:
    return [delivery.event.type for delivery in deliveries]
