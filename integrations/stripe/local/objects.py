"""Stripe-shaped objects for the offline Stripe. Field names and nesting follow Stripe's
own example objects (openapi fixtures3.json, API version 2026-10-28): for instance the
subscription period lives on `items.data[]`, an invoice names its subscription under
`parent.subscription_details`, and ids of related objects are plain strings (unexpanded).
Only fields someone might read are filled; placeholders stay null as they do in Stripe."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from integrations.stripe.local import store
from integrations.stripe.types import StripeError


def add_interval(timestamp: int, interval: str, count: int = 1) -> int:
    """Stripe bills on the same day of the month (clamped to the month's last day)."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    months = count * (12 if interval == "year" else 1)
    if interval in ("day", "week"):
        return timestamp + count * (86400 if interval == "day" else 7 * 86400)
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def _list(url: str, data: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"object": "list", "data": data or [], "has_more": False, "url": url}


def _address() -> dict[str, Any]:
    return {
        "city": None,
        "country": None,
        "line1": None,
        "line2": None,
        "postal_code": None,
        "state": None,
    }


CARD_BRAND = "visa"


def customer(*, email: str | None, name: str | None, metadata: dict[str, str]) -> dict[str, Any]:
    customer_id = store.new_id("customer")
    return {
        "id": customer_id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": store.now(),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "email": email,
        "invoice_prefix": customer_id.rsplit("_", 1)[-1].upper()[:8],
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": dict(metadata),
        "name": name,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def payment_method(*, customer_id: str | None, last4: str = "4242", email: str | None = None):
    return {
        "id": store.new_id("payment_method"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": _address(),
            "email": email,
            "name": None,
            "phone": None,
            "tax_id": None,
        },
        "card": {
            "brand": CARD_BRAND,
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": "pass",
            },
            "country": "GB",
            "display_brand": CARD_BRAND,
            "exp_month": 12,
            "exp_year": datetime.now(tz=UTC).year + 3,
            "fingerprint": f"local{last4}",
            "funding": "credit",
            "last4": last4,
            "networks": {"available": [CARD_BRAND], "preferred": None},
            "wallet": None,
        },
        "created": store.now(),
        "customer": customer_id,
        "livemode": False,
        "metadata": {},
        "type": "card",
    }


def checkout_session(
    *,
    mode: str,
    amount_total: int,
    currency: str,
    success_url: str,
    cancel_url: str,
    client_reference_id: str | None,
    metadata: dict[str, str],
    customer_id: str | None,
    customer_email: str | None,
    url_for: Any,
) -> dict[str, Any]:
    session_id = store.new_id("checkout.session")
    created = store.now()
    return {
        "id": session_id,
        "object": "checkout.session",
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "automatic_tax": {"enabled": False, "liability": None, "status": None, "provider": None},
        "billing_address_collection": None,
        "cancel_url": cancel_url,
        "client_reference_id": client_reference_id,
        "client_secret": None,
        "created": created,
        "currency": currency,
        "custom_fields": [],
        "customer": customer_id,
        "customer_creation": None if customer_id or mode == "subscription" else "if_required",
        "customer_details": None,
        "customer_email": customer_email,
        # Stripe's default: a session can be paid for 24 hours.
        "expires_at": created + 24 * 3600,
        "invoice": None,
        "livemode": False,
        "locale": None,
        "metadata": dict(metadata),
        "mode": mode,
        # Created when the customer confirms (Stripe creates PaymentIntents lazily).
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "always" if mode == "subscription" else None,
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "setup_intent": None,
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": success_url,
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": url_for(session_id),
    }


def checkout_item(*, name: str, amount: int, currency: str, quantity: int, interval: str | None):
    """A Checkout line item (`item`); like Stripe, the inline `price_data` becomes an
    (inactive) Price and a Product."""
    product_id = store.new_id("product")
    store.save(
        {
            "id": product_id,
            "object": "product",
            "active": False,
            "created": store.now(),
            "description": None,
            "livemode": False,
            "metadata": {},
            "name": name,
            "type": "service",
        }
    )
    return {
        "id": store.new_id("item"),
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": amount * quantity,
        "amount_tax": 0,
        "amount_total": amount * quantity,
        "currency": currency,
        "description": name,
        "price": price(product_id=product_id, amount=amount, currency=currency, interval=interval),
        "quantity": quantity,
    }


def price(*, product_id: str, amount: int, currency: str, interval: str | None) -> dict[str, Any]:
    return {
        "id": store.new_id("price"),
        "object": "price",
        # Prices made from price_data are inactive: they cannot be reused elsewhere.
        "active": False,
        "billing_scheme": "per_unit",
        "created": store.now(),
        "currency": currency,
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": product_id,
        "recurring": (
            {
                "interval": interval,
                "interval_count": 1,
                "meter": None,
                "trial_period_days": None,
                "usage_type": "licensed",
            }
            if interval
            else None
        ),
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if interval else "one_time",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }


def payment_intent(
    *,
    amount: int,
    currency: str,
    customer_id: str | None,
    metadata: dict[str, str],
    description: str | None = None,
    application_fee_amount: int | None = None,
    destination: str | None = None,
    transfer_group: str | None = None,
) -> dict[str, Any]:
    intent_id = store.new_id("payment_intent")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": application_fee_amount,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic_async",
        "client_secret": f"{intent_id}_secret_local",
        "confirmation_method": "automatic",
        "created": store.now(),
        "currency": currency,
        "customer": customer_id,
        "description": description,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": dict(metadata),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": {"destination": destination} if destination else None,
        "transfer_group": transfer_group,
    }


DECLINE_MESSAGE = "Your card was declined."


def charge(
    *,
    intent: dict[str, Any],
    method: dict[str, Any],
    succeeded: bool,
) -> dict[str, Any]:
    charge_id = store.new_id("charge")
    destination = (intent.get("transfer_data") or {}).get("destination")
    card = method["card"]
    return {
        "id": charge_id,
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"] if succeeded else 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": intent.get("application_fee_amount") if succeeded else None,
        "balance_transaction": store.new_id("balance_transaction") if succeeded else None,
        "billing_details": method["billing_details"],
        "calculated_statement_descriptor": "AEYIA",
        "captured": succeeded,
        "created": store.now(),
        "currency": intent["currency"],
        "customer": intent.get("customer"),
        "description": intent.get("description"),
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": None if succeeded else "card_declined",
        "failure_message": None if succeeded else DECLINE_MESSAGE,
        "fraud_details": {},
        "livemode": False,
        "metadata": dict(intent.get("metadata") or {}),
        "on_behalf_of": None,
        "outcome": {
            "advice_code": None if succeeded else "try_again_later",
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network" if succeeded else "declined_by_network",
            "reason": None if succeeded else "generic_decline",
            "risk_level": "normal",
            "seller_message": "Payment complete."
            if succeeded
            else "The bank did not return any further details with this decline.",
            "type": "authorized" if succeeded else "issuer_declined",
        },
        "paid": succeeded,
        "payment_intent": intent["id"],
        "payment_method": method["id"],
        "payment_method_details": {
            "card": {
                "brand": card["brand"],
                "country": card["country"],
                "exp_month": card["exp_month"],
                "exp_year": card["exp_year"],
                "fingerprint": card["fingerprint"],
                "funding": card["funding"],
                "last4": card["last4"],
                "network": card["brand"],
            },
            "type": "card",
        },
        "receipt_email": None,
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "review": None,
        "shipping": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded" if succeeded else "failed",
        # Set for destination charges once the transfer exists.
        "transfer": None,
        "transfer_data": {"amount": None, "destination": destination} if destination else None,
        "transfer_group": intent.get("transfer_group"),
    }


def card_error(*, charge_id: str, method: dict[str, Any]) -> dict[str, Any]:
    """`payment_intent.last_payment_error` after a decline."""
    return {
        "charge": charge_id,
        "code": "card_declined",
        "decline_code": "generic_decline",
        "doc_url": "https://docs.stripe.com/error-codes/card-declined",
        "message": DECLINE_MESSAGE,
        "payment_method": method,
        "type": "card_error",
    }


def application_fee(*, charge_data: dict[str, Any], amount: int, account: str) -> dict[str, Any]:
    fee_id = store.new_id("application_fee")
    return {
        "id": fee_id,
        "object": "application_fee",
        "account": account,
        "amount": amount,
        "amount_refunded": 0,
        "application": "ca_local_aeyia",
        "balance_transaction": store.new_id("balance_transaction"),
        "charge": charge_data["id"],
        "created": store.now(),
        "currency": charge_data["currency"],
        "fee_source": {"charge": charge_data["id"], "type": "charge"},
        "livemode": False,
        "originating_transaction": None,
        "refunded": False,
        "refunds": _list(f"/v1/application_fees/{fee_id}/refunds"),
    }


def fee_refund(*, fee: dict[str, Any], amount: int) -> dict[str, Any]:
    return {
        "id": store.new_id("fee_refund"),
        "object": "fee_refund",
        "amount": amount,
        "balance_transaction": store.new_id("balance_transaction"),
        "created": store.now(),
        "currency": fee["currency"],
        "fee": fee["id"],
        "metadata": {},
    }


def transfer(
    *,
    amount: int,
    currency: str,
    destination: str,
    transfer_group: str | None,
    metadata: dict[str, str],
    source_transaction: str | None = None,
) -> dict[str, Any]:
    transfer_id = store.new_id("transfer")
    return {
        "id": transfer_id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "balance_transaction": store.new_id("balance_transaction"),
        "created": store.now(),
        "currency": currency,
        "description": None,
        "destination": destination,
        "destination_payment": store.new_id("destination_payment"),
        "livemode": False,
        "metadata": dict(metadata),
        "reversals": _list(f"/v1/transfers/{transfer_id}/reversals"),
        "reversed": False,
        "source_transaction": source_transaction,
        "source_type": "card",
        "transfer_group": transfer_group,
    }


def transfer_reversal(*, transfer_data: dict[str, Any], amount: int, refund_id: str):
    return {
        "id": store.new_id("transfer_reversal"),
        "object": "transfer_reversal",
        "amount": amount,
        "balance_transaction": store.new_id("balance_transaction"),
        "created": store.now(),
        "currency": transfer_data["currency"],
        "destination_payment_refund": None,
        "metadata": {},
        "source_refund": refund_id,
        "transfer": transfer_data["id"],
    }


def refund(
    *,
    refund_id: str,
    charge_data: dict[str, Any],
    amount: int,
    reason: str | None,
    metadata: dict[str, str],
) -> dict[str, Any]:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": store.new_id("balance_transaction"),
        "charge": charge_data["id"],
        "created": store.now(),
        "currency": charge_data["currency"],
        "destination_details": {"card": {"type": "refund"}, "type": "card"},
        "metadata": dict(metadata),
        "payment_intent": charge_data["payment_intent"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }


def dispute(*, charge_data: dict[str, Any]) -> dict[str, Any]:
    created = store.now()
    return {
        "id": store.new_id("dispute"),
        "object": "dispute",
        "amount": charge_data["amount"] - charge_data["amount_refunded"],
        "balance_transactions": [],
        "charge": charge_data["id"],
        "created": created,
        "currency": charge_data["currency"],
        "evidence": {
            "customer_email_address": charge_data["billing_details"].get("email"),
            "customer_name": None,
            "product_description": None,
            "service_date": None,
            "uncategorized_text": None,
        },
        "evidence_details": {
            "due_by": created + 7 * 86400,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": charge_data["payment_intent"],
        "payment_method_details": {
            "card": {"brand": CARD_BRAND, "case_type": "chargeback", "network_reason_code": "10.4"},
            "type": "card",
        },
        "reason": "fraudulent",
        "status": "needs_response",
    }


def subscription(
    *,
    customer_id: str,
    items: list[dict[str, Any]],
    currency: str,
    metadata: dict[str, str],
    default_payment_method: str | None,
    period_start: int,
) -> dict[str, Any]:
    subscription_id = store.new_id("subscription")
    subscription_items = []
    for item in items:
        interval = item["price"]["recurring"]["interval"]
        subscription_items.append(
            {
                "id": store.new_id("subscription_item"),
                "object": "subscription_item",
                "created": period_start,
                "current_period_end": add_interval(period_start, interval),
                "current_period_start": period_start,
                "discounts": [],
                "metadata": {},
                "price": item["price"],
                "quantity": item["quantity"],
                "subscription": subscription_id,
                "tax_rates": [],
            }
        )
    return {
        "id": subscription_id,
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
        "billing_cycle_anchor": period_start,
        "billing_mode": {"type": "flexible"},
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": period_start,
        "currency": currency,
        "customer": customer_id,
        "days_until_due": None,
        "default_payment_method": default_payment_method,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "ended_at": None,
        "items": _list(
            f"/v1/subscription_items?subscription={subscription_id}", subscription_items
        ),
        "latest_invoice": None,
        "livemode": False,
        "metadata": dict(metadata),
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None,
        "pause_collection": None,
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": period_start,
        "status": "active",
        "test_clock": None,
        "transfer_data": None,
        "trial_end": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": None,
    }


def invoice(
    *,
    subscription_data: dict[str, Any],
    customer_data: dict[str, Any],
    billing_reason: str,
    usage_period: tuple[int, int],
) -> dict[str, Any]:
    """An open, finalized invoice for the subscription's current period.

    Stripe quirk kept on purpose: the invoice's own `period_start`/`period_end` are the
    *usage* period (for a renewal, the period just ended; for the first invoice, its
    creation time twice); the period paid for is on `lines.data[].period` and on the
    subscription items."""
    invoice_id = store.new_id("invoice")
    created = store.now()
    lines = []
    total = 0
    for item in subscription_data["items"]["data"]:
        amount = item["price"]["unit_amount"] * item["quantity"]
        total += amount
        lines.append(
            {
                "id": store.new_id("line_item"),
                "object": "line_item",
                "amount": amount,
                "currency": subscription_data["currency"],
                "description": f"{item['quantity']} × {_product_name(item['price'])}",
                "discount_amounts": [],
                "discountable": True,
                "discounts": [],
                "invoice": invoice_id,
                "livemode": False,
                "metadata": dict(subscription_data["metadata"]),
                "parent": {
                    "invoice_item_details": None,
                    "subscription_item_details": {
                        "invoice_item": None,
                        "proration": False,
                        "proration_details": {"credited_items": None},
                        "subscription": subscription_data["id"],
                        "subscription_item": item["id"],
                    },
                    "type": "subscription_item_details",
                },
                "period": {
                    "end": item["current_period_end"],
                    "start": item["current_period_start"],
                },
                "pretax_credit_amounts": [],
                "pricing": {
                    "price_details": {
                        "price": item["price"]["id"],
                        "product": item["price"]["product"],
                    },
                    "type": "price_details",
                    "unit_amount_decimal": item["price"]["unit_amount_decimal"],
                },
                "quantity": item["quantity"],
                "subtotal": amount,
                "taxes": [],
            }
        )
    sequence = customer_data.get("next_invoice_sequence") or 1
    return {
        "id": invoice_id,
        "object": "invoice",
        "account_country": settings.STRIPE_CONNECT_COUNTRY,
        "account_name": "Aeyia (offline Stripe)",
        "amount_due": total,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_remaining": total,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": True,
        "automatic_tax": {"enabled": False, "liability": None, "status": None, "provider": None},
        "billing_reason": billing_reason,
        "collection_method": "charge_automatically",
        "created": created,
        "currency": subscription_data["currency"],
        "customer": customer_data["id"],
        "customer_email": customer_data.get("email"),
        "customer_name": customer_data.get("name"),
        "default_payment_method": None,
        "description": None,
        "discounts": [],
        "due_date": None,
        "effective_at": created,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "lines": _list(f"/v1/invoices/{invoice_id}/lines", lines),
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": f"{customer_data.get('invoice_prefix', 'LOCAL')}-{sequence:04d}",
        "parent": {
            "quote_details": None,
            "subscription_details": {
                "metadata": dict(subscription_data["metadata"]),
                "subscription": subscription_data["id"],
            },
            "type": "subscription_details",
        },
        "period_end": usage_period[1],
        "period_start": usage_period[0],
        "status": "open",
        "status_transitions": {
            "finalized_at": created,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subtotal": total,
        "subtotal_excluding_tax": total,
        "total": total,
        "total_discount_amounts": [],
        "total_excluding_tax": total,
        "total_taxes": [],
        "webhooks_delivered_at": created,
    }


def _product_name(price_data: dict[str, Any]) -> str:
    try:
        return store.get(price_data["product"], "product")["name"]
    except StripeError:
        return price_data["product"]


def account(*, email: str, country: str, metadata: dict[str, str]) -> dict[str, Any]:
    account_id = store.new_id("account")
    due = [
        "business_profile.mcc",
        "business_profile.url",
        "external_account",
        "individual.first_name",
        "individual.last_name",
        "tos_acceptance.date",
        "tos_acceptance.ip",
    ]
    return {
        "id": account_id,
        "object": "account",
        "business_profile": {
            "mcc": None,
            "name": None,
            "product_description": None,
            "support_email": None,
            "support_phone": None,
            "support_url": None,
            "url": None,
        },
        "business_type": None,
        "capabilities": {"card_payments": "inactive", "transfers": "inactive"},
        "charges_enabled": False,
        # What `type=express` means in controller terms (see live.py).
        "controller": {
            "fees": {"payer": "application"},
            "is_controller": True,
            "losses": {"payments": "application"},
            "requirement_collection": "stripe",
            "stripe_dashboard": {"type": "express"},
            "type": "application",
        },
        "country": country,
        "created": store.now(),
        "default_currency": {"GB": "gbp", "US": "usd"}.get(country.upper(), "eur"),
        "details_submitted": False,
        "email": email,
        "external_accounts": _list(f"/v1/accounts/{account_id}/external_accounts"),
        "future_requirements": requirements([]),
        "metadata": dict(metadata),
        "payouts_enabled": False,
        "requirements": requirements(due, disabled_reason="requirements.past_due"),
        "settings": {
            "payouts": {
                "debit_negative_balances": True,
                "schedule": {"delay_days": 7, "interval": "daily"},
                "statement_descriptor": None,
            },
        },
        "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        "type": "express",
    }


def requirements(due: list[str], *, disabled_reason: str | None = None) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": disabled_reason,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def bank_account(
    *, account_id: str, holder_name: str, routing_number: str, account_number: str, country: str
) -> dict[str, Any]:
    currency = {"GB": "gbp", "US": "usd"}.get(country.upper(), "eur")
    return {
        "id": store.new_id("bank_account"),
        "object": "bank_account",
        "account": account_id,
        "account_holder_name": holder_name,
        "account_holder_type": "individual",
        "bank_name": "STRIPE TEST BANK",
        "country": country,
        "currency": currency,
        "default_for_currency": True,
        "fingerprint": f"local{account_number[-4:]}",
        "last4": account_number[-4:],
        "metadata": {},
        "routing_number": routing_number,
        "status": "new",
    }


def portal_session(*, customer_id: str, return_url: str, url_for: Any) -> dict[str, Any]:
    session_id = store.new_id("billing_portal.session")
    return {
        "id": session_id,
        "object": "billing_portal.session",
        "configuration": "bpc_local_default",
        "created": store.now(),
        "customer": customer_id,
        "flow": None,
        "livemode": False,
        "locale": None,
        "on_behalf_of": None,
        "return_url": return_url,
        "url": url_for(session_id),
    }
