"""The `Typeform-Signature` header on webhooks: "sha256=" + base64(HMAC-SHA256(key = the
webhook's secret as UTF-8, message = the raw request body)). The raw bytes are signed, so
the body must be verified exactly as received, never after re-serialising it. Typeform
signs no timestamp: replays are absorbed by storing each response once on its token."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from integrations.typeform.types import WebhookSignatureError

PREFIX = "sha256="


def sign(payload: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return PREFIX + base64.b64encode(digest).decode()


def verify(payload: bytes, header: str, secrets: Iterable[str]) -> str:
    """Returns the secret that signed `payload` (so the caller knows which form link it
    belongs to); raises WebhookSignatureError otherwise. Every candidate is compared in
    constant time, and all are compared even after a match."""
    header = (header or "").strip()
    if not header.startswith(PREFIX):
        raise WebhookSignatureError("the signature header is not sha256=<base64>")
    candidates = [secret for secret in secrets if secret]
    if not candidates:
        raise WebhookSignatureError("no webhook secret is configured")
    given = header.encode()
    matched = ""
    for secret in candidates:
        if hmac.compare_digest(sign(payload, secret).encode(), given) and not matched:
            matched = secret
    if not matched:
        raise WebhookSignatureError("signature does not match")
    return matched
