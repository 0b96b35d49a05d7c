"""The daily email digest: emails of non-urgent kinds wait (held, `in_digest`) until the
person's digest hour, then one email lists them all. Claimed like a single delivery:
the rows are locked, moved to `sending` and committed before the email goes out, so two
beat runs never send the same rows twice."""

from __future__ import annotations

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from notifications import rendering
from notifications.delivery import ERROR_MAX_LENGTH, RETRY_DELAYS
from notifications.kinds import Channel
from notifications.models import Delivery, NotificationSettings
from notifications.senders import SKIP_ADDRESS_BOUNCED, address_suppressed
from notifications.timing import person_zone

logger = logging.getLogger(__name__)

DIGEST_BATCH_SIZE = 100


def _due(now):
    return Delivery.objects.filter(
        channel=Channel.EMAIL,
        state=Delivery.State.HELD,
        in_digest=True,
        next_attempt_at__lte=now,
    )


def digests_send(*, limit: int = DIGEST_BATCH_SIZE) -> int:
    """Beat: sends every due digest, one email per person. Returns how many were sent."""
    now = timezone.now()
    recipient_ids = list(
        _due(now).order_by().values_list("notification__recipient_id", flat=True).distinct()[:limit]
    )
    return sum(1 for user_id in recipient_ids if digest_send(user_id=user_id) == "sent")


def _claim(user_id: int) -> list[Delivery]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            _due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(notification__recipient_id=user_id)
            .select_related("notification")
            .order_by("notification__created_at", "pk")
        )
        if rows:
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                state=Delivery.State.SENDING, claimed_at=now
            )
    return rows


def digest_send(*, user_id: int) -> str:
    """Sends one person's due digest, once: "sent", "nothing due", "skipped" (their
    address bounced) or "retry" (the email failed; the rows wait for the next run)."""
    rows = _claim(user_id)
    if not rows:
        return "nothing due"
    user = User.objects.get(pk=user_id)
    ids = [row.pk for row in rows]
    if address_suppressed(user.email):
        Delivery.objects.filter(pk__in=ids).update(
            state=Delivery.State.SKIPPED, skip_reason=SKIP_ADDRESS_BOUNCED
        )
        return "skipped"
    try:
        message_id = _send(user, rows)
    except Exception as error:
        logger.warning("notifications: digest for user #%s failed", user_id, exc_info=True)
        attempts = max(row.attempts for row in rows) + 1
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        Delivery.objects.filter(pk__in=ids, state=Delivery.State.SENDING).update(
            state=Delivery.State.HELD,
            attempts=attempts,
            next_attempt_at=timezone.now() + delay,
            last_error=f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH],
        )
        return "retry"
    Delivery.objects.filter(pk__in=ids, state=Delivery.State.SENDING).update(
        state=Delivery.State.SENT,
        sent_at=timezone.now(),
        provider_message_id=message_id[:255],
        last_error="",
    )
    return "sent"


def _send(user: User, rows: list[Delivery]) -> str:
    language = (
        NotificationSettings.objects.filter(user=user).values_list("language", flat=True).first()
        or settings.LANGUAGE_CODE
    )
    items = []
    with translation.override(language), timezone.override(person_zone(user)):
        for row in rows:
            email = rendering.render_email(row.notification)
            items.append(
                {
                    "subject": email.subject,
                    "url": rendering.absolute_link(row.notification.link),
                    "created_at": row.notification.created_at,
                }
            )
        context = {
            "recipient": user,
            "items": items,
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = " ".join(render_to_string("notifications/digest/subject.txt", context).split())
        text = render_to_string("notifications/digest/body.txt", context)
        html = render_to_string("notifications/digest/body.html", context)
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or None
    own_message_id = make_msgid(idstring=f"digest-{rows[0].pk}", domain=domain)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": own_message_id},
    )
    message.attach_alternative(html, "text/html")
    message.metadata = {"delivery_id": str(rows[0].pk)}  # type: ignore[attr-defined]
    message.send(fail_silently=False)
    provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    return own_message_id if provider_id is None else str(provider_id)
