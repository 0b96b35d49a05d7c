"""Sending one delivery exactly once, retrying failures with back-off, and re-driving
what was held or lost.

The claim: a delivery is locked (SKIP LOCKED), moved to `sending` and committed BEFORE
the provider is called. A second task for the same row finds it locked or no longer
due and does nothing; a worker that dies after the claim leaves the row in `sending`,
which is never sent again automatically (staff see it as "unknown": the provider may or
may not have it, and a duplicate text or email is worse than a missing one)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.outbox import enqueue_on_commit
from notifications import rendering, selectors, timing
from notifications.channels import ChannelError, ChannelUnavailable, channel_sender
from notifications.kinds import Channel
from notifications.models import Delivery

logger = logging.getLogger(__name__)

# After the 1st, 2nd, 3rd and 4th failure; the 5th failure is final.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
REDRIVE_AFTER = timedelta(minutes=10)
REDRIVE_BATCH_SIZE = 200
# A row in `sending` longer than this was most likely lost with its worker.
SENDING_UNKNOWN_AFTER = timedelta(minutes=10)
ERROR_MAX_LENGTH = 2000
QUIET_CHANNELS = frozenset({Channel.SMS, Channel.PUSH})


def retry_at(attempts: int, *, now: datetime) -> datetime | None:
    """When a delivery that failed `attempts` times is tried again; None: never."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[max(attempts, 1) - 1]


def _claim(delivery_id: int) -> Delivery | None:
    """Locks the delivery and moves it to `sending` if it is due; holds an SMS or push
    that falls in quiet hours instead. Returns the claimed row, or None."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification", "notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:  # gone, or another worker holds it right now
            return None
        runnable = delivery.state == Delivery.State.PENDING or (
            delivery.state in (Delivery.State.FAILED, Delivery.State.HELD)
            and delivery.next_attempt_at is not None
            and delivery.next_attempt_at <= now
            and not delivery.in_digest
        )
        if not runnable:
            return None
        recipient = delivery.notification.recipient
        if delivery.channel in QUIET_CHANNELS and recipient is not None:
            held_until = timing.hold_until(
                user=recipient,
                settings=selectors.settings_for(recipient),
                now=now,
                event_at=delivery.notification.event_at,
            )
            if held_until is not None:
                delivery.state = Delivery.State.HELD
                delivery.next_attempt_at = held_until
                delivery.save(update_fields=["state", "next_attempt_at"])
                return None
        delivery.state = Delivery.State.SENDING
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.next_attempt_at = None
        delivery.save(update_fields=["state", "claimed_at", "attempts", "next_attempt_at"])
    return delivery


def delivery_send(*, delivery_id: int) -> str:
    """Sends one delivery at most once. Returns what happened ("sent", "failed",
    "retry", "skipped", or "not due" when another task has it or it is not time yet)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "not due"
    try:
        rendered = rendering.render_for(delivery.notification, delivery.channel)
        provider_message_id = channel_sender(delivery.channel)(delivery, rendered)
    except ChannelUnavailable as unavailable:
        _finish(delivery, state=Delivery.State.SKIPPED, skip_reason=unavailable.reason[:200])
        return "skipped"
    except ChannelError as error:
        return _failed(delivery, str(error), retryable=error.retryable)
    except Exception as error:
        # A template or programming error: recorded and retried, never raised into the
        # worker (which would redeliver the task to a row already claimed).
        logger.exception("notifications: delivery #%s raised", delivery.pk)
        return _failed(delivery, f"{type(error).__name__}: {error}", retryable=True)
    _finish(
        delivery,
        state=Delivery.State.SENT,
        sent_at=timezone.now(),
        provider_message_id=(provider_message_id or "")[:255],
        last_error="",
    )
    return "sent"


def _failed(delivery: Delivery, message: str, *, retryable: bool) -> str:
    now = timezone.now()
    next_attempt_at = retry_at(delivery.attempts, now=now) if retryable else None
    _finish(
        delivery,
        state=Delivery.State.FAILED,
        last_error=message[:ERROR_MAX_LENGTH],
        next_attempt_at=next_attempt_at,
    )
    return "retry" if next_attempt_at else "failed"


def _finish(delivery: Delivery, **fields) -> None:
    # Only the claim's own row in `sending` is finished: a staff action in between wins.
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING).update(**fields)


def deliveries_redrive(*, limit: int = REDRIVE_BATCH_SIZE) -> int:
    """Beat: puts due deliveries back in the queue: failed ones whose back-off is over,
    SMS and push held for quiet hours that have ended, and queued ones whose task never
    ran within REDRIVE_AFTER. Each is moved to `pending` (due again after REDRIVE_AFTER,
    in case this task is lost too) and its send is enqueued after commit; the send's claim
    keeps it to one. Digest emails are the digest task's. Returns how many."""
    from notifications import tasks

    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(next_attempt_at__lte=now, in_digest=False)
            .filter(
                Q(state=Delivery.State.PENDING)
                | Q(state=Delivery.State.FAILED, attempts__lt=MAX_ATTEMPTS)
                | Q(state=Delivery.State.HELD)
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not rows:
            return 0
        Delivery.objects.filter(pk__in=rows).update(
            state=Delivery.State.PENDING, next_attempt_at=now + REDRIVE_AFTER
        )
        for delivery_id in rows:
            enqueue_on_commit(tasks.deliver, delivery_id)
    return len(rows)
