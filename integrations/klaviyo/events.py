"""What domain code calls to send something to Klaviyo. Each helper validates and
filters the value now (the allow-list in `types`), then enqueues the Celery task once
the surrounding transaction commits, so a rolled-back booking sends nothing. None of
them ever raises into the caller: marketing sync must not break a purchase."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone

from events.outbox import enqueue_on_commit
from integrations.klaviyo import tasks
from integrations.klaviyo.types import (
    InvalidKlaviyoData,
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
)

logger = logging.getLogger(__name__)


def _enqueue(task, payload: Any) -> None:
    # Through the task outbox: written in the caller's transaction, published after commit
    # without waiting on the broker, relayed later if it is down (decision 0018).
    enqueue_on_commit(task, payload)


def track_event_on_commit(
    *,
    email: str,
    metric: str,
    properties: Mapping[str, Any],
    unique_id: str,
    time: datetime | None = None,
) -> None:
    """Sends `metric` ("Lead Captured", "Signed Up", "Membership Started", "Session
    Booked", "Course Completed") for the person with `email` after commit. Properties
    outside the allow-list are dropped. `unique_id` comes from our own row (e.g.
    "booking-42-confirmed") so Klaviyo records the event once however often it is sent."""
    try:
        event = KlaviyoEvent(
            email=email,
            metric=metric,
            unique_id=unique_id,
            time=time or timezone.now(),
            properties=dict(properties),
        )
    except InvalidKlaviyoData as error:
        logger.warning("klaviyo event not sent", extra={"metric": metric, "error": str(error)})
        return
    _enqueue(tasks.track_event, event.as_dict())


def profile_upsert_on_commit(*, profile: KlaviyoProfile) -> None:
    """Creates or updates the person's Klaviyo profile after commit."""
    _enqueue(tasks.upsert_profile, profile.as_dict())


def list_subscribe_on_commit(
    *, email: str, list_id: str, consented_at: datetime, source: str = ""
) -> None:
    """Subscribes a consented (double-opted-in) email to `list_id` after commit. Does
    nothing when no list is configured."""
    if not list_id:
        return
    try:
        subscription = KlaviyoSubscription(
            email=email, list_id=list_id, consented_at=consented_at, source=source
        )
    except InvalidKlaviyoData as error:
        logger.warning("klaviyo subscription not sent", extra={"error": str(error)})
        return
    _enqueue(tasks.subscribe_to_list, subscription.as_dict())


def profile_delete_on_commit(*, email: str) -> None:
    """Asks Klaviyo to delete the person's profiles after commit (erasure)."""
    if email:
        _enqueue(tasks.delete_profile, email)
