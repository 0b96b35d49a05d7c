"""Access to vendor test material (tests/vendor_data/) and helpers that turn it into
signed webhook deliveries exactly as the vendors do."""

import copy
import hashlib
import hmac
import json
import time
from functools import cache
from pathlib import Path
from typing import Any

VENDOR_DIR = Path(__file__).resolve().parent / "vendor_data"


@cache
def _stripe_resources() -> dict[str, Any]:
    return json.loads((VENDOR_DIR / "stripe" / "fixtures3.selected.json").read_text())["resources"]


def stripe_object(name: str, **changes: Any) -> dict[str, Any]:
    """A deep copy of Stripe's own example object (`"checkout.session"`, `"invoice"`...)
    with top-level fields changed."""
    obj = copy.deepcopy(_stripe_resources()[name])
    obj.update(changes)
    return obj


@cache
def stripe_event_types() -> frozenset[str]:
    data = json.loads((VENDOR_DIR / "stripe" / "webhook_event_types.json").read_text())
    return frozenset(data["enabled_events"])


def stripe_event(
    event_type: str,
    data_object: dict[str, Any],
    *,
    event_id: str | None = None,
    account: str | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    """Stripe's example event envelope carrying `data_object`."""
    event = copy.deepcopy(_stripe_resources()["event"])
    event.update(
        type=event_type,
        id=event_id
        or f"evt_test_{hashlib.sha1(json.dumps(data_object, sort_keys=True).encode() + event_type.encode()).hexdigest()[:20]}",  # noqa: E501, S324
        created=created or int(time.time()),
        api_version="2026-10-28.endive",
    )
    event["data"] = {"object": data_object}
    if account:
        event["account"] = account
    return event


def stripe_signature(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends: t=<ts>,v1=HMAC-SHA256(secret, "t.payload")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
