"""The X-Aeyia-Signature scheme: HMAC-SHA256 over "<t>.<raw body>" with a replay window."""

import pytest

from integrations.kyc.signatures import sign, verify
from integrations.kyc.types import WebhookSignatureError

BODY = b'{"event_id": "e1"}'


def test_a_fresh_signature_verifies():
    verify(BODY, sign(BODY, "secret", 1_000), "secret", now=1_010)


@pytest.mark.parametrize(
    ("header", "secret", "now"),
    [
        (sign(BODY, "other", 1_000), "secret", 1_000),  # wrong secret
        (sign(BODY + b" ", "secret", 1_000), "secret", 1_000),  # body changed
        (sign(BODY, "secret", 1_000), "secret", 1_000 + 301),  # replayed too late
        (sign(BODY, "secret", 1_000), "secret", 1_000 - 301),  # from the future
        ("v1=abc", "secret", 1_000),  # no timestamp
        ("t=1000", "secret", 1_000),  # no signature
        ("t=soon,v1=abc", "secret", 1_000),
        ("", "secret", 1_000),
        (sign(BODY, "", 1_000), "", 1_000),  # no secret configured
    ],
)
def test_anything_else_is_refused(header, secret, now):
    with pytest.raises(WebhookSignatureError):
        verify(BODY, header, secret, now=now)
