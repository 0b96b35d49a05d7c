"""Stripe webhook intake: verify → store (unique on the event id) with its processing job
in the task outbox, in one transaction → process once after commit; events left received
or failed are re-driven by beat with back-off (`webhook_events_redrive`). Real Stripe
reaches `receive` through the two HTTP views; the offline Stripe calls it directly with the
same signed bytes (settings.STRIPE_LOCAL_WEBHOOK_RECEIVER)."""

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce.payments.models import WebhookEvent
from events import backoff
from events.outbox import enqueue_on_commit
from integrations.stripe.live import construct_event
from integrations.stripe.types import Event, WebhookSignatureError

logger = logging.getLogger(__name__)

Handler = Callable[[Event], None]
_HANDLERS: dict[str, list[Handler]] = defaultdict(list)


def handles(*event_types: str) -> Callable[[Handler], Handler]:
    """Registers a handler for event types. Handlers must converge: they may see an event
    twice, late, or before the events that logically precede it."""

    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            _HANDLERS[event_type].append(handler)
        return handler

    return register


def handled_event_types() -> frozenset[str]:
    return frozenset(_HANDLERS)


def _secret_for(endpoint: str) -> str:
    if endpoint == WebhookEvent.Endpoint.CONNECT:
        return settings.STRIPE_CONNECT_WEBHOOK_SECRET
    if endpoint == WebhookEvent.Endpoint.PLATFORM:
        return settings.STRIPE_WEBHOOK_SECRET
    raise WebhookSignatureError(f"unknown endpoint {endpoint!r}")


def receive(endpoint: str, payload: bytes, signature_header: str) -> WebhookEvent:
    """Verifies and stores one delivery; returns the stored event (the existing row for a
    redelivery, which is then not processed again). Raises WebhookSignatureError."""
    event = construct_event(
        payload,
        signature_header,
        _secret_for(endpoint),
        tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    )
    return webhook_event_store(endpoint=endpoint, event=event)


def webhook_event_store(*, endpoint: str, event: Event) -> WebhookEvent:
    """Stores a verified event once; the first store writes its processing job to the
    outbox in the same transaction, so a stored event is always processed eventually, and
    a broker outage never fails the delivery."""
    from commerce.payments.tasks import process_webhook_event

    defaults = {
        "endpoint": endpoint,
        "type": event.type,
        "account": event.account or "",
        "livemode": event.livemode,
        "api_version": event.api_version or "",
        "stripe_created": datetime.fromtimestamp(event.created, tz=UTC),
        "payload": {
            "id": event.id,
            "type": event.type,
            "created": event.created,
            "account": event.account,
            "livemode": event.livemode,
            "api_version": event.api_version,
            "data": {
                "object": dict(event.data_object),
                "previous_attributes": event.previous_attributes,
            },
        },
    }
    with transaction.atomic():
        try:
            # Insert first: a new event (the common case) costs one statement; a
            # redelivery hits the unique constraint, concurrent ones included.
            with transaction.atomic():
                stored = WebhookEvent.objects.create(
                    stripe_id=event.id, next_attempt_at=backoff.first_redrive_at(), **defaults
                )
        except IntegrityError:
            return WebhookEvent.objects.get(stripe_id=event.id)
        enqueue_on_commit(process_webhook_event, stored.pk)
    return stored


def event_from_row(row: WebhookEvent) -> Event:
    payload = row.payload
    return Event(
        id=row.stripe_id,
        type=row.type,
        created=payload["created"],
        livemode=row.livemode,
        api_version=row.api_version or None,
        account=row.account or None,
        data_object=payload["data"]["object"],
        previous_attributes=payload["data"].get("previous_attributes"),
    )


def webhook_event_process(*, event_id: int, only_if_due: bool = False) -> WebhookEvent:
    """Processes a stored event once. The row lock makes concurrent workers take turns;
    a processed event is left alone; a failure is recorded on the row with the time of
    the next attempt (back-off), leaving no partial effects behind. `only_if_due` (the
    re-drive) leaves a row alone unless it is still due once locked."""
    with transaction.atomic():
        row = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if row.status in (WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED):
            return row
        if only_if_due and not backoff.is_due(row, statuses=_REDRIVABLE, now=timezone.now()):
            return row
        handlers = _HANDLERS.get(row.type, [])
        row.attempts += 1
        if not handlers:
            row.status = WebhookEvent.Status.IGNORED
            row.processed_at = timezone.now()
            row.save(update_fields=["status", "attempts", "processed_at"])
            return row
        event = event_from_row(row)
        try:
            with transaction.atomic():
                for handler in handlers:
                    handler(event)
        except Exception as error:
            logger.exception("stripe event %s (%s) failed", row.stripe_id, row.type)
            row.status = WebhookEvent.Status.FAILED
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.next_attempt_at = backoff.next_attempt_after_failure(row.attempts)
            row.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
        else:
            row.status = WebhookEvent.Status.PROCESSED
            row.processed_at = timezone.now()
            row.last_error = ""
            row.save(update_fields=["status", "attempts", "processed_at", "last_error"])
    return row


def webhook_event_reprocess(*, event: WebhookEvent) -> None:
    """Staff action: queue a failed event again."""
    from commerce.payments.tasks import process_webhook_event

    if event.status == WebhookEvent.Status.FAILED:
        enqueue_on_commit(process_webhook_event, event.pk)


_REDRIVABLE = (WebhookEvent.Status.RECEIVED, WebhookEvent.Status.FAILED)


def webhook_events_redrive(*, limit: int = backoff.REDRIVE_BATCH_SIZE) -> int:
    """Beat: processes events left received (their job never ran) or failed whose next
    attempt is due, up to `limit`, oldest first. Exactly once still holds: each is
    processed under its row lock and only while received or failed. Returns how many
    were processed (whatever the outcome)."""
    return backoff.redrive(
        WebhookEvent.objects.all(),
        statuses=_REDRIVABLE,
        process=lambda event_id: webhook_event_process(event_id=event_id, only_if_due=True),
        limit=limit,
    )
