"""Persistence of the offline Stripe: deterministic ids, objects, idempotency keys.

Objects are stored as the JSON Stripe would return (`LocalStripeObject.data`), so what
the hosted pages show, what the gateway maps and what events carry are one and the same.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations.stripe.models import LocalIdCounter, LocalStripeObject
from integrations.stripe.types import StripeError

# Stripe's id prefixes. `acctlink` and `req` name things Stripe gives no stored id.
PREFIXES = {
    "account": "acct",
    "account_link": "acctlink",
    "application_fee": "fee",
    "balance_transaction": "txn",
    "bank_account": "ba",
    "billing_portal.session": "bps",
    "charge": "ch",
    "checkout.session": "cs",
    "customer": "cus",
    "destination_payment": "py",
    "dispute": "dp",
    "event": "evt",
    "fee_refund": "fr",
    "invoice": "in",
    "item": "li",
    "line_item": "il",
    "payment_intent": "pi",
    "payment_method": "pm",
    "price": "price",
    "product": "prod",
    "refund": "re",
    "request": "req",
    "subscription": "sub",
    "subscription_item": "si",
    "transfer": "tr",
    "transfer_reversal": "trr",
}


def now() -> int:
    """Unix seconds, through Django's clock so tests can move time."""
    return int(timezone.now().timestamp())


def new_id(object_type: str) -> str:
    """The next id for an object type: `cs_local_000001`, `cs_local_000002`... Counters
    live in the database, so ids are unique across processes and repeat exactly in a
    fresh database (every test)."""
    prefix = PREFIXES[object_type]
    with transaction.atomic():
        counter, _ = LocalIdCounter.objects.select_for_update().get_or_create(prefix=prefix)
        counter.value += 1
        counter.save(update_fields=["value"])
    return f"{prefix}_local_{counter.value:06d}"


def save(data: dict[str, Any], *, internal: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create or replace a stored object; returns `data`."""
    defaults: dict[str, Any] = {"object_type": data["object"], "data": data}
    if internal is not None:
        defaults["internal"] = internal
    LocalStripeObject.objects.update_or_create(id=data["id"], defaults=defaults)
    return data


def get_row(object_id: str, object_type: str, *, for_update: bool = False) -> LocalStripeObject:
    """The stored row, or Stripe's 404 (`resource_missing`)."""
    rows = LocalStripeObject.objects.filter(id=object_id, object_type=object_type)
    if for_update:
        rows = rows.select_for_update()
    row = rows.first()
    if row is None:
        label = object_type.rsplit(".", 1)[-1].replace("_", " ")
        raise StripeError(f"No such {label}: '{object_id}'", code="resource_missing")
    return row


def get(object_id: str, object_type: str) -> dict[str, Any]:
    return get_row(object_id, object_type).data


def get_internal(object_id: str, object_type: str) -> dict[str, Any]:
    return get_row(object_id, object_type).internal


def find(object_type: str, **matches: Any) -> list[dict[str, Any]]:
    """Stored objects of a type whose top-level fields equal `matches`, oldest first.
    Filtering is done in Python so it behaves the same on SQLite and PostgreSQL."""
    rows = LocalStripeObject.objects.filter(object_type=object_type).order_by("created", "id")
    return [
        row.data
        for row in rows
        if all(row.data.get(field) == value for field, value in matches.items())
    ]
