"""One-click unsubscribe (RFC 8058) for "News and offers" emails to people with an
account. The link carries a signed token naming the person; it does not expire, because
an unsubscribe link in an old email must still work. Using it turns the marketing
category off for email, the same choice as the settings page."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.models import User

SALT = "notifications.unsubscribe-marketing"


def unsubscribe_token(*, user_id: int) -> str:
    return signing.dumps({"user": user_id}, salt=SALT, compress=True)


def user_for_unsubscribe_token(token: str) -> User | None:
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def unsubscribe_headers(*, user_id: int) -> dict[str, str]:
    """The List-Unsubscribe pair a mail client shows as "Unsubscribe" and POSTs to."""
    path = reverse("notifications-unsubscribe", args=[unsubscribe_token(user_id=user_id)])
    return {
        "List-Unsubscribe": f"<{settings.SITE_URL.rstrip('/')}{path}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
