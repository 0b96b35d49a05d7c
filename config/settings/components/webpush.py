"""Web push (the browser Push API with VAPID, RFC 8292) and the installable app.

Keys are P-256: the private key as the base64url of its 32-byte scalar, the public key as
the base64url of the 65-byte uncompressed point (what browsers take as
`applicationServerKey`). That is the format `vapid --gen --raw` and the web-push npm tool
print. The embedded default generates a pair once into var/ so the demo can subscribe;
production must set them (deploy check aeyia.E081), because a subscription is bound to the
public key it was made with and a new key silently orphans every subscription.
"""

import base64

from .env import VAR_DIR, env


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _local_vapid_private_key() -> str:
    """A VAPID private key for the embedded default, generated once into var/ so push
    subscriptions made in the demo keep working across restarts."""
    path = VAR_DIR / "webpush_vapid_private_key"
    if not path.exists():
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(_b64url(key.private_numbers().private_value.to_bytes(32, "big")))
        path.chmod(0o600)
    return path.read_text().strip()


def vapid_public_key_for(private_key: str) -> str:
    """The browser-facing public key that belongs to `private_key` (both base64url)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    scalar = int.from_bytes(base64.urlsafe_b64decode(private_key + "=" * (-len(private_key) % 4)))
    public = ec.derive_private_key(scalar, ec.SECP256R1()).public_key()
    return _b64url(
        public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="")
# Whether the key pair came from the environment (the deploy check insists it does).
WEBPUSH_VAPID_KEYS_FROM_ENVIRONMENT = bool(WEBPUSH_VAPID_PRIVATE_KEY)
if not WEBPUSH_VAPID_PRIVATE_KEY:
    WEBPUSH_VAPID_PRIVATE_KEY = _local_vapid_private_key()
# Optional: derived from the private key when unset; when set, the deploy check makes sure
# it is the private key's own.
WEBPUSH_VAPID_PUBLIC_KEY = env.str("WEBPUSH_VAPID_PUBLIC_KEY", default="") or vapid_public_key_for(
    WEBPUSH_VAPID_PRIVATE_KEY
)
# Who push services contact about our traffic (a mailto: or https: URL, RFC 8292 §2.1).
WEBPUSH_VAPID_SUBJECT = env.str("WEBPUSH_VAPID_SUBJECT", default="mailto:support@aeyia.local")
# How long a push service keeps a message for a device that is offline (seconds): a
# reminder that arrives a day late does more harm than none.
WEBPUSH_TTL_SECONDS = env.int("WEBPUSH_TTL_SECONDS", default=6 * 60 * 60)
# Connect and read timeout for one request to a push service (seconds).
WEBPUSH_TIMEOUT_SECONDS = env.int("WEBPUSH_TIMEOUT_SECONDS", default=10)
# Devices one person may have subscribed at once; the oldest goes when a new one comes.
WEBPUSH_MAX_SUBSCRIPTIONS_PER_USER = env.int("WEBPUSH_MAX_SUBSCRIPTIONS_PER_USER", default=10)
# Consecutive refusals (4xx other than 404/410/429) after which a subscription is dropped.
WEBPUSH_MAX_FAILURES = env.int("WEBPUSH_MAX_FAILURES", default=5)
# Tests (and DEBUG) accept http://127.0.0.1 push endpoints so a local push-service peer
# can stand in for FCM or Mozilla's autopush. Never read from the environment: sending
# still goes through the guarded fetch, which refuses loopback unless a test allows it.
WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False
