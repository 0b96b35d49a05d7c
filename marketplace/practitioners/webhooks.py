"""KYC webhook intake: verify the signature on the raw body → store the event (unique on
the vendor's event id; a redelivery is recognised and not processed again) → process it
once after commit in a task (its job written to the task outbox in the same transaction),
under a row lock, keeping any failure on the row; events left received or failed are
re-driven by beat with back-off (`kyc_events_redrive`). The HTTP view and the offline
adapter (settings.KYC_LOCAL_WEBHOOK_RECEIVER) both call `receive`.

FrankieOne's notifications are not signed, so they arrive at a secret path instead and are
only hints (`frankieone_notification_receive`): stored once per request and function in
the same table, then processed the same way, except that processing reads the check's
result from FrankieOne's API (`get_kyc().fetch_result`) and applies that, never the
notification's own claims. A check still running changes nothing (the row is retried with
back-off until the result is there)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import backoff
from events.outbox import enqueue_on_commit
from integrations.kyc.notifications import KycNotification, parse_notification
from integrations.kyc.signatures import verify
from integrations.kyc.types import KycCheckRef, KycError, KycResult
from marketplace.practitioners.models import KycEvent, VerificationCase

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


class KycResultPending(Exception):
    """The vendor's check is still running: nothing to apply yet (retried later)."""


def frankieone_notification_receive(payload: bytes, *, path_request_id: str = "") -> KycEvent:
    """Stores one FrankieOne notification as a hint (the existing row for a redelivery of
    the same request and function). Raises ValueError for a body that is not one."""
    notification = parse_notification(payload, path_request_id=path_request_id)
    return frankieone_notification_store(notification=notification)


def frankieone_notification_store(*, notification: KycNotification) -> KycEvent:
    from marketplace.practitioners.tasks import process_kyc_event

    with transaction.atomic():
        try:
            with transaction.atomic():
                stored = KycEvent.objects.create(
                    event_id=notification.event_id,
                    source=KycEvent.Source.FRANKIEONE_NOTIFICATION,
                    # The person at FrankieOne: processing finds our case by it.
                    check_id=notification.entity_id,
                    reference="",
                    body=notification.to_json(),
                    next_attempt_at=backoff.first_redrive_at(),
                )
        except IntegrityError:
            return KycEvent.objects.get(event_id=notification.event_id)
        enqueue_on_commit(process_kyc_event, stored.pk)
    return stored


def _fetched_result(row: KycEvent) -> KycResult:
    """The result of the check a FrankieOne hint is about, read from the API: the latest
    case started for the hint's person (a later submission supersedes earlier ones)."""
    from integrations.kyc import get_kyc

    case = (
        VerificationCase.objects.filter(kyc_entity_id=row.check_id)
        .exclude(kyc_check_id="")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if case is None:
        raise LookupError("no verification case for this FrankieOne entity")
    result = get_kyc().fetch_result(
        check=KycCheckRef(
            reference=case.reference, check_id=case.kyc_check_id, entity_id=case.kyc_entity_id
        )
    )
    if result is None:
        raise KycResultPending("the identity check is still running")
    return result


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
        if only_if_due and not backoff.is_due(row, statuses=_REDRIVABLE, now=timezone.now()):
            return row
        row.attempts += 1
        try:
            with transaction.atomic():
                if row.source == KycEvent.Source.FRANKIEONE_NOTIFICATION:
                    result = _fetched_result(row)
                else:
                    result = KycResult.from_json(row.body.encode())
                kyc_result_apply(result=result)
        except Exception as error:
            if isinstance(error, KycResultPending):
                logger.info("KYC event %s: check still running", row.event_id)
            else:
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


def kyc_events_redrive(*, limit: int = backoff.REDRIVE_BATCH_SIZE) -> int:
    """Beat: processes KYC events left received (their job never ran) or failed whose
    next attempt is due, oldest first; each once, under its row lock. Returns how many
    were processed (whatever the outcome)."""
    return backoff.redrive(
        KycEvent.objects.all(),
        statuses=_REDRIVABLE,
        process=lambda event_id: kyc_event_process(event_id=event_id, only_if_due=True),
        limit=limit,
    )


PENDING_REFRESH_AFTER = timedelta(minutes=15)


def kyc_pending_refresh(
    *, older_than: timedelta = PENDING_REFRESH_AFTER, limit: int = backoff.REDRIVE_BATCH_SIZE
) -> int:
    """Beat (and `manage.py kyc_refresh_pending`): reads the result of open cases whose
    vendor check (one with a vendor person id, i.e. FrankieOne's) has been pending longer
    than `older_than`, and applies any that has one. It covers a notification that never
    reached us (an outage, or one sent to the old path while the secret was rotated).
    Returns how many cases got a result; a check that cannot be read is logged and left
    for the next run."""
    from integrations.kyc import get_kyc
    from marketplace.practitioners.services import kyc_result_apply

    cases = list(
        VerificationCase.objects.filter(
            decision=VerificationCase.Decision.OPEN,
            kyc_status=VerificationCase.KycStatus.PENDING,
            submitted_at__lte=timezone.now() - older_than,
        )
        .exclude(kyc_check_id="")
        .exclude(kyc_entity_id="")
        .order_by("submitted_at", "pk")[:limit]
    )
    applied = 0
    for case in cases:
        try:
            result = get_kyc().fetch_result(
                check=KycCheckRef(
                    reference=case.reference,
                    check_id=case.kyc_check_id,
                    entity_id=case.kyc_entity_id,
                )
            )
        except KycError as error:
            logger.warning("pending KYC check %s could not be read: %s", case.reference, error)
            continue
        if result is not None:
            kyc_result_apply(result=result)
            applied += 1
    return applied
