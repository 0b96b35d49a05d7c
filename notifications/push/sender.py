"""The push channel's sender: one encrypted Web Push message (RFC 8030, 8291, 8292) to
every browser the person turned push on in.

The payload is built from the rendered push alone (generic title and line, a site path
and a tag), never from the notification's context or in-app text: a lock screen is
public, and the push service is a third party. pywebpush encrypts it (aes128gcm) and
py_vapid signs the VAPID token; the request itself goes through the guarded fetch,
because the endpoint is a URL the browser (so, the person) gave us.

Outcome, per subscription: 2xx counts as sent; 404/410 means the subscription is gone
and its row is deleted; 429 and 5xx are worth retrying; other refusals count against the
subscription, which is dropped after WEBPUSH_MAX_FAILURES in a row. One device's answer
never re-sends to another: once any device has the message the delivery is sent (a
retry would show it twice on the others)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPusher

from integrations.safe_fetch import FetchError, guarded_fetch
from notifications import kinds
from notifications.channels import ChannelError, ChannelUnavailable, RenderedPush
from notifications.push.models import PushSubscription
from notifications.push.selectors import push_subscriptions_for
from notifications.push.services import endpoint_is_loopback

if TYPE_CHECKING:
    from notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 80
BODY_MAX_LENGTH = 240
TAG_MAX_LENGTH = 64
# A VAPID token may live up to 24 hours (RFC 8292 §2); push services refuse longer.
VAPID_TOKEN_SECONDS = 12 * 60 * 60
# Push services answer with a short status body; more than this is not worth reading.
RESPONSE_MAX_BYTES = 16 * 1024
MIN_TTL_SECONDS = 60
_GONE = {404, 410}


@dataclass(frozen=True)
class _Outcome:
    subscription: PushSubscription
    status: int | None  # None: the push service could not be reached

    @property
    def sent(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status in _GONE

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


def _clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _site_path(url: str) -> str:
    """Only a path on this site: a push must never open somewhere else."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return "/"
    return url


def push_payload(rendered: RenderedPush) -> bytes:
    """The JSON the service worker shows: {title, body, url, tag}, kept well inside the
    3993 bytes of plaintext one encrypted push may carry (RFC 8291 §4)."""
    return json.dumps(
        {
            "title": _clip(rendered.title, TITLE_MAX_LENGTH) or "Aeyia",
            "body": _clip(rendered.body, BODY_MAX_LENGTH),
            "url": _site_path(rendered.url),
            "tag": _clip(rendered.tag, TAG_MAX_LENGTH),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def ttl_seconds(notification: Notification, *, now=None) -> int:
    """How long the push service keeps the message for an offline device: the setting,
    and never past the moment the notification is about (a reminder for a session that
    has started is noise)."""
    ttl = settings.WEBPUSH_TTL_SECONDS
    event_at = getattr(notification, "event_at", None)
    if event_at is not None:
        until_event = int((event_at - (now or timezone.now())).total_seconds())
        ttl = min(ttl, max(until_event, MIN_TTL_SECONDS))
    return max(ttl, 0)


def urgency(notification: Notification) -> str:
    """RFC 8030 §5.3: "high" wakes a phone at once; "normal" may wait for it to wake."""
    try:
        notification_type = kinds.get(notification.type_key)
    except KeyError:
        return "normal"
    return "high" if notification_type.urgent else "normal"


def topic(tag: str) -> str:
    """RFC 8030 §5.4: a queued message with the same topic replaces the older one. At
    most 32 base64url characters, so a digest of the tag."""
    digest = hashlib.sha256(tag.encode("utf-8")).digest()[:24]
    return base64.urlsafe_b64encode(digest).decode("ascii")


@lru_cache(maxsize=4)
def _vapid(private_key: str) -> Vapid:
    return Vapid.from_raw(private_key.encode("ascii"))


def vapid_headers(endpoint: str, *, now: float | None = None) -> dict[str, str]:
    """The VAPID Authorization header for one push service: a JWT (ES256) whose audience
    is the push service's origin, with our public key (RFC 8292 §3)."""
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(now if now is not None else time.time()) + VAPID_TOKEN_SECONDS,
        "sub": settings.WEBPUSH_VAPID_SUBJECT,
    }
    return _vapid(settings.WEBPUSH_VAPID_PRIVATE_KEY).sign(claims)


def _post(subscription: PushSubscription, payload: bytes, headers: dict[str, str]) -> int | None:
    encrypted = WebPusher(subscription.subscription_info).encode(payload, "aes128gcm")["body"]
    allowed_ports = None
    if endpoint_is_loopback(subscription.endpoint):
        # A local push-service peer (tests, DEBUG) listens on a port of its own; the
        # guarded fetch still refuses loopback unless the test allows that network.
        port = urlsplit(subscription.endpoint).port
        allowed_ports = frozenset({port}) if port else None
    try:
        response = guarded_fetch(
            subscription.endpoint,
            method="POST",
            body=encrypted,
            headers={
                **vapid_headers(subscription.endpoint),
                **headers,
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
            },
            max_bytes=RESPONSE_MAX_BYTES,
            connect_timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
            timeout_seconds=settings.WEBPUSH_TIMEOUT_SECONDS,
            max_redirects=0,
            allowed_ports=allowed_ports,
        )
    except FetchError as error:
        logger.warning("web push to subscription #%s failed: %s", subscription.pk, error)
        return None
    return response.status


def _record(outcome: _Outcome) -> None:
    subscription = outcome.subscription
    rows = PushSubscription.objects.filter(pk=subscription.pk)
    if outcome.sent:
        rows.update(last_success_at=timezone.now(), failures=0)
    elif outcome.gone:
        rows.delete()
    elif not outcome.retryable:
        rows.update(failures=F("failures") + 1)
        rows.filter(failures__gte=settings.WEBPUSH_MAX_FAILURES).delete()


def push_send(delivery: Delivery, rendered: RenderedPush) -> str:
    """Sends `rendered` to each of the recipient's subscriptions. Returns an id naming the
    subscriptions that took it; raises ChannelUnavailable when the person has none (left),
    ChannelError(retryable=True) when every device failed and one may yet succeed."""
    notification = delivery.notification
    if notification.recipient_id is None:
        raise ChannelUnavailable("push needs an account")
    subscriptions = push_subscriptions_for(notification.recipient_id)
    if not subscriptions:
        raise ChannelUnavailable("no push subscription")
    payload = push_payload(rendered)
    headers = {
        "TTL": str(ttl_seconds(notification)),
        "Urgency": urgency(notification),
    }
    if rendered.tag:
        headers["Topic"] = topic(rendered.tag)
    outcomes = []
    for subscription in subscriptions:
        outcome = _Outcome(subscription=subscription, status=_post(subscription, payload, headers))
        _record(outcome)
        outcomes.append(outcome)
    delivered = [outcome.subscription.pk for outcome in outcomes if outcome.sent]
    if delivered:
        return "webpush:" + ",".join(str(pk) for pk in delivered)
    if all(outcome.gone for outcome in outcomes):
        raise ChannelUnavailable("push subscriptions expired")
    statuses = ", ".join(
        f"#{outcome.subscription.pk}: {outcome.status or 'unreachable'}" for outcome in outcomes
    )
    raise ChannelError(
        f"no push service accepted the message ({statuses})",
        retryable=any(outcome.retryable for outcome in outcomes),
    )
