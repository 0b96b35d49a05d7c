"""The `X-Aeyia-Signature` header on KYC webhooks: "t=<unix seconds>,v1=<hex>", where
v1 = HMAC-SHA256(secret, "<t>." + raw body). The timestamp is signed too, so a captured
delivery cannot be replayed outside the tolerance window."""

import hashlib
import hmac
import time

from integrations.kyc.types import WebhookSignatureError

DEFAULT_TOLERANCE_SECONDS = 300


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), str(moment).encode() + b"." + payload, hashlib.sha256
    ).hexdigest()
    return f"t={moment},v1={digest}"


def verify(
    payload: bytes,
    header: str,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Raises WebhookSignatureError unless `header` signs `payload` with `secret` within
    `tolerance` seconds of `now`."""
    if not secret:
        raise WebhookSignatureError("no webhook secret is configured")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key and value:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError) as error:
        raise WebhookSignatureError("no timestamp in the signature header") from error
    signatures = parts.get("v1", [])
    if not signatures:
        raise WebhookSignatureError("no v1 signature in the header")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookSignatureError("timestamp outside the tolerance window")
    expected = sign(payload, secret, timestamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise WebhookSignatureError("signature does not match")
