"""KYC webhook intake: verify the signature on the raw body → store the event (unique on
the vendor's event id; a redelivery is recognised and not processed again) → process it
once after commit in a task (its job written to the task outbox in the same transaction),
under a row lock, keeping any failure on the row; events left received or failed are
re-driven by beat with back-off (`kyc_events_redrive`). The HTTP view and the offline
adapter (settings.KYC_LOCAL_WEBHOOK_RECEIVER) both call `receive`."""

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from events import backoff
from events.outbox import enqueue_on_commit
from integrations.kyc.signatures import verify
from integrations.kyc.types import KycResult
from marketplace.practitioners.models import KycEvent

logger = logging.getLogger(__name__)


def receive(payload: bytes, signature_header: str) -> KycEvent:
    """Verifies and stores one delivery; returns the stored event (the existing row for a
    redelivery). Raises WebhookSignatureError for a bad signature and ValueError for a
    signed body that is not a KYC result."""
    verify(
        payload,
        signature_header,
        settings.KYC_WEBHOOK_SECRET,
        tolerance=settings.KYC_WEBHOOK_TOLERANCE_SECONDS,
    )
    result = KycResult.from_json(payload)
    return kyc_event_store(result=result, payload=payload)


def kyc_event_store(*, result: KycResult, payload: bytes) -> KycEvent:
    """Stores a verified event once; the first store writes its processing job to the
    outbox in the same transaction (processed eventually, whatever the broker does)."""
    from marketplace.practitioners.tasks import process_kyc_event

    with transaction.atomic():
        try:
            # Insert first: a redelivery (concurrent ones too) hits the unique constraint.
            with transaction.atomic():
                stored = KycEvent.objects.create(
                    event_id=result.event_id,
                    check_id=result.check_id,
                    reference=result.reference,
                    body=payload.decode(),
                    next_attempt_at=backoff.first_redrive_at(),
                )
        except IntegrityError:
            return KycEvent.objects.get(event_id=result.event_id)
        enqueue_on_commit(process_kyc_event, stored.pk)
    return stored


def kyc_event_process(*, event_id: int, only_if_due: bool = False) -> KycEvent:
    """Processes a stored event once. Concurrent workers take turns on the row lock; a
    processed event is left alone; a failure is recorded on the row with no partial
    effects (the savepoint rolls them back) and the time of the next attempt.
    `only_if_due` (the re-drive) leaves a row alone unless it is still due once locked."""
    from marketplace.practitioners.services import kyc_result_apply

    with transaction.atomic():
        row = KycEvent.objects.select_for_update().get(pk=event_id)
        if row.status == KycEvent.Status.PROCESSED:
            return row
        if only_if_due and not _due(row, timezone.now()):
            return row
        row.attempts += 1
        try:
            with transaction.atomic():
                kyc_result_apply(result=KycResult.from_json(row.body.encode()))
        except Exception as error:
            logger.exception("KYC event %s failed", row.event_id)
            row.status = KycEvent.Status.FAILED
            row.error = f"{type(error).__name__}: {error}"[:2000]
            row.next_attempt_at = backoff.next_attempt_after_failure(row.attempts)
            row.save(update_fields=["status", "attempts", "error", "next_attempt_at"])
        else:
            row.status = KycEvent.Status.PROCESSED
            row.processed_at = timezone.now()
            row.error = ""
            row.save(update_fields=["status", "attempts", "processed_at", "error"])
    return row


_REDRIVABLE = (KycEvent.Status.RECEIVED, KycEvent.Status.FAILED)


def _due(row: KycEvent, now: datetime) -> bool:
    return (
        row.status in _REDRIVABLE
        and row.attempts < backoff.MAX_ATTEMPTS
        and (row.next_attempt_at is None or row.next_attempt_at <= now)
    )


def kyc_events_redrive(*, limit: int = backoff.REDRIVE_BATCH_SIZE) -> int:
    """Beat: processes KYC events left received (their job never ran) or failed whose
    next attempt is due, oldest first; each once, under its row lock. Returns how many
    were processed (whatever the outcome)."""
    now = timezone.now()
    event_ids = list(
        KycEvent.objects.filter(status__in=_REDRIVABLE, attempts__lt=backoff.MAX_ATTEMPTS)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in event_ids:
        kyc_event_process(event_id=event_id, only_if_due=True)
    return len(event_ids)
