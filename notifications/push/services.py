"""Storing and removing people's push subscriptions."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from integrations.safe_fetch import FetchError, check_url_shape
from notifications.push.models import ENDPOINT_MAX_LENGTH, PushSubscription

_LOOPBACK_NAMES = {"localhost"}


def b64url_decode(value: str) -> bytes:
    """Decodes unpadded base64url (what browsers give for keys); ValueError if it is not."""
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ValueError("not a base64url string")
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not a base64url string") from error


def _loopback_allowed() -> bool:
    return settings.DEBUG or settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS


def _is_loopback_host(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_is_loopback(endpoint: str) -> bool:
    """Whether the endpoint is a local push-service peer (tests, DEBUG)."""
    try:
        return _is_loopback_host((urlsplit(endpoint).hostname or "").lower())
    except ValueError:
        return False


def _clean_endpoint(endpoint: object) -> str:
    """A push service's https URL. Loopback http(s) URLs pass only in DEBUG and tests,
    where a local peer stands in for the push service."""
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ValidationError("Give the subscription's endpoint.", code="required")
    endpoint = endpoint.strip()
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        raise ValidationError("The endpoint is too long.", code="too_long")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        _port = parts.port  # ValueError for a port that is not a number
    except ValueError as error:
        raise ValidationError("The endpoint is not a URL.", code="invalid") from error
    if _loopback_allowed() and _is_loopback_host(host) and parts.scheme in ("http", "https"):
        return endpoint
    if parts.scheme != "https":
        raise ValidationError("The endpoint must be an https:// URL.", code="insecure")
    try:
        # The same shape rules as every URL we fetch for a user: no internal names, no
        # private addresses written as the host, no user:pass@, the default port.
        check_url_shape(endpoint)
    except FetchError as error:
        raise ValidationError(
            "The endpoint is not a push service we can reach.", code="refused"
        ) from error
    return endpoint


def _clean_p256dh(value: object) -> str:
    """The browser's P-256 public key: 65 bytes, uncompressed, and a point on the curve
    (anything else would only fail later, at every send)."""
    try:
        raw = b64url_decode(value)  # type: ignore[arg-type]
        if len(raw) != 65 or raw[0] != 4:
            raise ValueError("not an uncompressed P-256 point")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as error:
        raise ValidationError(
            "keys.p256dh must be the browser's P-256 public key.", code="invalid"
        ) from error
    return str(value)


def _clean_auth(value: object) -> str:
    try:
        raw = b64url_decode(value)  # type: ignore[arg-type]
    except ValueError as error:
        raise ValidationError("keys.auth must be base64url.", code="invalid") from error
    if len(raw) != 16:
        raise ValidationError("keys.auth must be a 16-byte secret.", code="invalid")
    return str(value)


def push_subscription_clean(*, endpoint: object, p256dh: object, auth: object) -> dict[str, str]:
    """The checked fields, or ValidationError with one message per bad field."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, str] = {}
    for field, cleaner, value in (
        ("endpoint", _clean_endpoint, endpoint),
        ("keys.p256dh", _clean_p256dh, p256dh),
        ("keys.auth", _clean_auth, auth),
    ):
        try:
            cleaned[field] = cleaner(value)
        except ValidationError as error:
            errors[field] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def push_subscription_save(
    *, user: User, endpoint: object, p256dh: object, auth: object, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Stores a browser's subscription for `user` and returns it with whether it is new.

    Upsert on the endpoint: the same browser subscribing again refreshes its keys, and a
    browser another person subscribed before now notifies the one signed in and asking.
    Past WEBPUSH_MAX_SUBSCRIPTIONS_PER_USER the person's oldest subscriptions go. Raises
    ValidationError for bad input."""
    cleaned = push_subscription_clean(endpoint=endpoint, p256dh=p256dh, auth=auth)
    values = {
        "user": user,
        "p256dh": cleaned["keys.p256dh"],
        "auth": cleaned["keys.auth"],
        "user_agent": (user_agent or "")[:255],
        "failures": 0,
    }
    try:
        # A savepoint: two tabs subscribing the same browser at once meet on the unique
        # endpoint, and the loser updates the winner's row instead of failing.
        with transaction.atomic():
            subscription, created = PushSubscription.objects.update_or_create(
                endpoint=cleaned["endpoint"], defaults=values
            )
    except IntegrityError:
        subscription, created = PushSubscription.objects.update_or_create(
            endpoint=cleaned["endpoint"], defaults=values
        )
    keep = settings.WEBPUSH_MAX_SUBSCRIPTIONS_PER_USER
    surplus = list(
        PushSubscription.objects.filter(user=user)
        .exclude(pk=subscription.pk)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[max(keep - 1, 0) :]
    )
    if surplus:
        PushSubscription.objects.filter(pk__in=surplus).delete()
    return subscription, created


def push_subscription_delete(*, user: User, endpoint: object) -> bool:
    """Removes `user`'s subscription with this endpoint (turning push off in that browser).
    False when they have none there: another person's subscription is never touched."""
    if not isinstance(endpoint, str) or not endpoint:
        return False
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint.strip()).delete()
    return bool(deleted)
