"""Typeform webhook intake: verify `Typeform-Signature` on the raw body (the deployment's
TYPEFORM_WEBHOOK_SECRET or the secret of the practitioner's form link for the body's form
id) → store the response once on its token (a redelivery or a replay finds the row and
changes nothing) → process it after commit in a task written to the outbox in the same
transaction, under a row lock, keeping any failure on the row (an unknown or forged
booking reference is recorded as failed, never a 500); rows left received or failed are
re-driven by beat with back-off. The HTTP view and the offline form
(settings.TYPEFORM_LOCAL_WEBHOOK_RECEIVER) both call `receive`."""

import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import backoff
from events.outbox import enqueue_on_commit
from integrations.typeform import get_typeform
from integrations.typeform.signatures import verify
from integrations.typeform.types import InvalidTypeformPayload, TypeformError, TypeformResponse
from marketplace.clients.intake.models import ServiceIntake, TypeformEvent

logger = logging.getLogger(__name__)


def _claimed_form_id(payload: bytes) -> str:
    """The form id the (not yet verified) body names, only to pick the secrets to try."""
    try:
        envelope = json.loads(payload)
        form_id = envelope["form_response"]["form_id"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return ""
    return form_id if isinstance(form_id, str) and 0 < len(form_id) <= 64 else ""


def secrets_for(payload: bytes) -> list[str]:
    candidates = [settings.TYPEFORM_WEBHOOK_SECRET]
    form_id = _claimed_form_id(payload)
    if form_id:
        candidates += [
            link.typeform_secret
            for link in ServiceIntake.objects.filter(typeform_form_id=form_id)
            if link.typeform_secret
        ]
    return candidates


def receive(payload: bytes, signature_header: str) -> TypeformEvent | None:
    """Verifies and stores one delivery; returns the stored event (the existing row for a
    redelivery), or None for a verified delivery that is not a submitted response (nothing
    to store). Raises WebhookSignatureError for a bad signature and InvalidTypeformPayload
    for a signed form_response we cannot read."""
    verify(payload, signature_header, secrets_for(payload))
    try:
        envelope = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidTypeformPayload("the body is not JSON") from error
    if not isinstance(envelope, dict) or envelope.get("event_type") != "form_response":
        return None
    response = TypeformResponse.from_webhook(payload)
    return typeform_event_store(response=response, payload=payload)


def typeform_event_store(*, response: TypeformResponse, payload: bytes) -> TypeformEvent:
    from marketplace.clients.intake.tasks import process_typeform_event

    with transaction.atomic():
        try:
            with transaction.atomic():
                stored = TypeformEvent.objects.create(
                    token=response.token[:64],
                    event_id=response.event_id[:255],
                    form_id=response.form_id[:64],
                    body=payload.decode(),
                    next_attempt_at=backoff.first_redrive_at(),
                )
        except IntegrityError:
            return TypeformEvent.objects.get(token=response.token[:64])
        enqueue_on_commit(process_typeform_event, stored.pk)
    return stored


def typeform_event_process(*, event_id: int, only_if_due: bool = False) -> TypeformEvent:
    """Processes a stored response once; a failure is kept on the row with no partial
    effects (the savepoint rolls them back) and the time of its next attempt."""
    from marketplace.clients.intake.services import TypeformNotMatched, intake_typeform_apply

    with transaction.atomic():
        row = TypeformEvent.objects.select_for_update().get(pk=event_id)
        if row.status == TypeformEvent.Status.PROCESSED:
            return row
        if only_if_due and not backoff.is_due(row, statuses=_REDRIVABLE, now=timezone.now()):
            return row
        row.attempts += 1
        try:
            with transaction.atomic():
                stored = intake_typeform_apply(
                    response=TypeformResponse.from_webhook(row.body.encode())
                )
        except (TypeformNotMatched, InvalidTypeformPayload) as error:
            # Nothing a retry would change: kept for staff, not re-driven.
            logger.warning("Typeform response %s not matched: %s", row.pk, error)
            row.status = TypeformEvent.Status.FAILED
            row.error = f"{type(error).__name__}: {error}"[:2000]
            row.attempts = max(row.attempts, backoff.MAX_ATTEMPTS)
            row.next_attempt_at = None
            row.save(update_fields=["status", "attempts", "error", "next_attempt_at"])
        except Exception as error:
            logger.exception("Typeform response %s failed", row.pk)
            row.status = TypeformEvent.Status.FAILED
            row.error = f"{type(error).__name__}"[:2000]
            row.next_attempt_at = backoff.next_attempt_after_failure(row.attempts)
            row.save(update_fields=["status", "attempts", "error", "next_attempt_at"])
        else:
            row.status = TypeformEvent.Status.PROCESSED
            row.processed_at = timezone.now()
            row.error = ""
            row.response = stored
            row.save(update_fields=["status", "attempts", "processed_at", "error", "response"])
    return row


_REDRIVABLE = (TypeformEvent.Status.RECEIVED, TypeformEvent.Status.FAILED)


def typeform_events_redrive(*, limit: int = backoff.REDRIVE_BATCH_SIZE) -> int:
    """Beat: processes responses left received (their job never ran) or failed whose next
    attempt is due, oldest first; each once, under its row lock."""
    return backoff.redrive(
        TypeformEvent.objects.all(),
        statuses=_REDRIVABLE,
        process=lambda event_id: typeform_event_process(event_id=event_id, only_if_due=True),
        limit=limit,
    )


CATCH_UP_WINDOW = timedelta(days=2)
CATCH_UP_PAGE_SIZE = 100
CATCH_UP_MAX_PAGES = 10


def typeform_responses_catch_up(*, now: datetime | None = None) -> int:
    """Beat: reads the last two days' responses of every linked Typeform form through the
    Responses API and stores those no webhook brought (each once on its token; they are
    then processed like a delivery). A form the API token cannot read is logged and
    skipped. Returns how many responses were new."""
    now = now or timezone.now()
    since = now - CATCH_UP_WINDOW
    gateway = get_typeform()
    form_ids = (
        ServiceIntake.objects.exclude(typeform_form_id="")
        .values_list("typeform_form_id", flat=True)
        .distinct()
    )
    new = 0
    for form_id in form_ids:
        before = ""
        for _ in range(CATCH_UP_MAX_PAGES):
            try:
                page = gateway.responses(
                    form_id=form_id, since=since, before=before, page_size=CATCH_UP_PAGE_SIZE
                )
            except TypeformError as error:
                logger.warning("Typeform catch-up skipped form %s: %s", form_id, error)
                break
            known = set(
                TypeformEvent.objects.filter(
                    token__in=[item.token for item in page.items]
                ).values_list("token", flat=True)
            )
            for response in page.items:
                if response.token not in known:
                    typeform_event_store(response=response, payload=response.as_webhook())
                    new += 1
            if len(page.items) < CATCH_UP_PAGE_SIZE:
                break
            before = page.items[-1].token
    return new
