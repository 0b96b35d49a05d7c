"""Celery tasks that talk to Klaviyo, one call each.

Every task takes plain data (the integration owns no rows), rebuilds the `types` value
(so the allow-list applies again on the worker) and calls the adapter. A retryable
failure (429, 5xx, network) is retried with `countdown` = the server's Retry-After when
it sent one, exponential backoff otherwise, at most KLAVIYO_MAX_RETRIES times. A final
failure is logged and handed to the callable named by KLAVIYO_FAILURE_HANDLER (the leads
app records it for staff); the task then returns False instead of raising, so an eager
run inside a web request never turns a Klaviyo outage into a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string

from integrations.klaviyo import get_klaviyo
from integrations.klaviyo.protocol import KlaviyoGateway
from integrations.klaviyo.types import (
    KlaviyoError,
    KlaviyoEvent,
    KlaviyoSubscription,
    profile_from_dict,
)

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600


def backoff_seconds(*, attempt: int, retry_after: float | None) -> int:
    """Seconds to wait before retry number `attempt + 1`: Klaviyo's Retry-After when it
    gave one, otherwise 10 s doubling each time; never more than an hour."""
    if retry_after is not None:
        return int(min(max(retry_after, 1), BACKOFF_MAX_SECONDS))
    return int(min(BACKOFF_BASE_SECONDS * 2**attempt, BACKOFF_MAX_SECONDS))


def _record_failure(*, operation: str, email: str, label: str, error: Exception, attempts: int):
    logger.error(
        "klaviyo gave up",
        extra={"operation": operation, "label": label, "attempts": attempts, "error": str(error)},
    )
    handler_path = getattr(settings, "KLAVIYO_FAILURE_HANDLER", "")
    if not handler_path:
        return
    try:
        import_string(handler_path)(
            operation=operation, email=email, label=label, error=str(error), attempts=attempts
        )
    except Exception:  # the failure record must never hide the original failure
        logger.exception("klaviyo failure handler failed", extra={"operation": operation})


def deliver(
    task, *, operation: str, email: str, label: str, call: Callable[[KlaviyoGateway], Any]
) -> Any:
    """Runs `call` with the adapter inside bound Celery task `task`: True when it went
    through, a retry (countdown from Retry-After or the backoff) on a retryable error,
    False after recording a final failure. Domain tasks that must re-check their own
    rows on every attempt (the leads app's subscription tasks) use it too."""
    attempt = task.request.retries or 0
    try:
        call(get_klaviyo())
    except KlaviyoError as error:
        cap = settings.KLAVIYO_MAX_RETRIES
        if error.retryable and attempt < cap:
            countdown = backoff_seconds(attempt=attempt, retry_after=error.retry_after)
            logger.warning(
                "klaviyo retry",
                extra={
                    "operation": operation,
                    "attempt": attempt + 1,
                    "countdown": countdown,
                    "status": error.status,
                },
            )
            retry = task.retry(exc=error, countdown=countdown, max_retries=cap, throw=False)
            if task.request.is_eager:
                # Eager mode (make run, tests): Celery's apply() runs the returned retry
                # signature itself; raising would propagate out of the web request.
                return retry
            raise retry from error
        _record_failure(
            operation=operation, email=email, label=label, error=error, attempts=attempt + 1
        )
        return False
    return True


@shared_task(bind=True, name="integrations.klaviyo.tasks.track_event", max_retries=None)
def track_event(self, event: dict) -> bool:
    """Sends one event (Klaviyo dedupes on its unique_id, so a retry is safe)."""
    value = KlaviyoEvent.from_dict(event)
    return deliver(
        self,
        operation="event_create",
        email=value.email,
        label=value.metric,
        call=lambda gateway: gateway.event_create(event=value),
    )


@shared_task(bind=True, name="integrations.klaviyo.tasks.upsert_profile", max_retries=None)
def upsert_profile(self, profile: dict) -> bool:
    """Creates or updates the profile with this email (profile-import)."""
    value = profile_from_dict(profile)
    return deliver(
        self,
        operation="profile_upsert",
        email=value.email,
        label="profile",
        call=lambda gateway: gateway.profile_upsert(profile=value),
    )


@shared_task(bind=True, name="integrations.klaviyo.tasks.subscribe_to_list", max_retries=None)
def subscribe_to_list(self, subscription: dict) -> bool:
    """Subscribes a double-opted-in email to the marketing list."""
    value = KlaviyoSubscription.from_dict(subscription)
    return deliver(
        self,
        operation="list_subscribe",
        email=value.email,
        label=value.list_id,
        call=lambda gateway: gateway.list_subscribe(subscription=value),
    )


@shared_task(bind=True, name="integrations.klaviyo.tasks.delete_profile", max_retries=None)
def delete_profile(self, email: str) -> bool:
    """Requests deletion of every Klaviyo profile with this email (erasure)."""
    return deliver(
        self,
        operation="profile_delete",
        email=email,
        label="erasure",
        call=lambda gateway: gateway.profile_delete(email=email),
    )
