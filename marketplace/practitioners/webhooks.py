"""KYC webhook intake: verify the signature on the raw body → store the event (unique on
the vendor's event id; a redelivery is recognised and not processed again) → process it
once after commit in a task, under a row lock, keeping any failure on the row. The HTTP
view and the offline adapter (settings.KYC_LOCAL_WEBHOOK_RECEIVER) both call `receive`."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

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
    """Stores a verified event once; the first store schedules processing after commit."""
    from marketplace.practitioners.tasks import process_kyc_event

    try:
        # Insert first: a redelivery (concurrent ones included) hits the unique constraint.
        with transaction.atomic():
            stored = KycEvent.objects.create(
                event_id=result.event_id,
                check_id=result.check_id,
                reference=result.reference,
                body=payload.decode(),
            )
    except IntegrityError:
        return KycEvent.objects.get(event_id=result.event_id)
    transaction.on_commit(lambda: process_kyc_event.delay(stored.pk))
    return stored


def kyc_event_process(*, event_id: int) -> KycEvent:
    """Processes a stored event once. Concurrent workers take turns on the row lock; a
    processed event is left alone; a failure is recorded on the row with no partial
    effects (the savepoint rolls them back)."""
    from marketplace.practitioners.services import kyc_result_apply

    with transaction.atomic():
        row = KycEvent.objects.select_for_update().get(pk=event_id)
        if row.status == KycEvent.Status.PROCESSED:
            return row
        row.attempts += 1
        try:
            with transaction.atomic():
                kyc_result_apply(result=KycResult.from_json(row.body.encode()))
        except Exception as error:
            logger.exception("KYC event %s failed", row.event_id)
            row.status = KycEvent.Status.FAILED
            row.error = f"{type(error).__name__}: {error}"[:2000]
            row.save(update_fields=["status", "attempts", "error"])
        else:
            row.status = KycEvent.Status.PROCESSED
            row.processed_at = timezone.now()
            row.error = ""
            row.save(update_fields=["status", "attempts", "processed_at", "error"])
    return row
