"""Writes for messaging: start a thread, post, mark read, close. Each is atomic and
audited (privacy.audit: `create` for a thread or message, `update` for a close, `read`
when a participant opens a thread). The new-message email is sent after commit through
the outbox (tasks.notify_new_message) and says only that a message is waiting."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.errors import DomainError
from events.outbox import enqueue_on_commit
from marketplace.clients.messaging.models import (
    BODY_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    Message,
    ReadState,
    Thread,
)
from marketplace.clients.records.access import Access
from marketplace.clients.records.models import CareRecord
from privacy.audit import audit


class ThreadClosed(DomainError):
    api_status = 409
    api_code = "closed"


def _clean(text: str, *, label: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(f"Write a {label}.", code="invalid")
    if len(text) > limit:
        raise DomainError(f"The {label} is too long (at most {limit} characters).", code="invalid")
    return text


def _can_write(access: Access) -> None:
    if access.role not in {"client", "practitioner"}:
        raise DomainError("Only the client and practitioner can write here.", code="forbidden")


@dataclass(frozen=True)
class Posted:
    thread: Thread
    message: Message


def _attach(*, access: Access, user, attachment, request):
    """Stores the attached file in the record's document store (checked by content,
    encrypted; a refused file raises ValidationError and nothing is stored). A
    practitioner's attachment is shared with the client; a client's is always visible to
    their practitioner."""
    if attachment is None:
        return None
    from marketplace.clients.documents.models import ClientDocument
    from marketplace.clients.documents.services import document_upload

    visibility = (
        ClientDocument.Visibility.SHARED_WITH_CLIENT if access.role == "practitioner" else None
    )
    return document_upload(
        record=access.record,
        uploaded_by=user,
        file=attachment,
        visibility=visibility,
        request=request,
    )


@transaction.atomic
def thread_start(
    *, access: Access, user, subject: str, body: str, attachment=None, request=None
) -> Posted:
    """A new thread in the record with its first message (and an optional file)."""
    _can_write(access)
    subject = _clean(subject, label="subject", limit=SUBJECT_MAX_LENGTH)
    body = _clean(body, label="message", limit=BODY_MAX_LENGTH)
    now = timezone.now()
    thread = Thread.objects.create(
        record=access.record, subject=subject, started_by=user, last_message_at=now
    )
    audit(
        actor=user,
        action="create",
        subject_user_id=access.record.client_id,
        object_type="message_thread",
        object_id=thread.pk,
        request=request,
        details={"record_id": access.record.pk},
    )
    message = _post(
        thread=thread, access=access, user=user, body=body, attachment=attachment, request=request
    )
    return Posted(thread=thread, message=message)


def _post(*, thread: Thread, access: Access, user, body: str, attachment, request) -> Message:
    document = _attach(access=access, user=user, attachment=attachment, request=request)
    message = Message.objects.create(thread=thread, sender=user, body=body, attachment=document)
    Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    # A message is contact between the pair: the clinical retention clock runs from it.
    CareRecord.objects.filter(pk=access.record.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=message.created_at)
    ).update(last_contact_at=message.created_at)
    thread.last_message_at = message.created_at
    ReadState.objects.update_or_create(
        thread=thread, user=user, defaults={"last_read_at": message.created_at}
    )
    from marketplace.clients.messaging.tasks import notify_new_message

    enqueue_on_commit(notify_new_message, message.pk)
    audit(
        actor=user,
        action="create",
        subject_user_id=access.record.client_id,
        object_type="message",
        object_id=message.pk,
        request=request,
        details={
            "record_id": access.record.pk,
            "thread_id": thread.pk,
            "attachment_id": document.pk if document is not None else None,
        },
    )
    return message


@transaction.atomic
def message_post(
    *, access: Access, thread: Thread, user, body: str, attachment=None, request=None
) -> Message:
    """A reply in an open thread of the record (with an optional file)."""
    _can_write(access)
    body = _clean(body, label="message", limit=BODY_MAX_LENGTH)
    thread = Thread.objects.select_for_update().get(pk=thread.pk, record=access.record)
    if thread.is_closed:
        raise ThreadClosed(
            "This conversation is closed. Start a new one or contact support.", code="closed"
        )
    return _post(
        thread=thread, access=access, user=user, body=body, attachment=attachment, request=request
    )


@transaction.atomic
def thread_mark_read(*, access: Access, thread: Thread, user, request=None) -> None:
    """The participant has seen everything in the thread up to now; audited as a read
    of the thread. Break-glass readers are audited but leave no read mark (the thread
    stays unread for its participants)."""
    if access.role in {"client", "practitioner"}:
        ReadState.objects.update_or_create(
            thread=thread, user=user, defaults={"last_read_at": timezone.now()}
        )
        from marketplace.clients.messaging.notifications import message_notices_read

        message_notices_read(user=user, thread_id=thread.pk)
    audit(
        actor=user,
        action="read",
        subject_user_id=access.record.client_id,
        object_type="message_thread",
        object_id=thread.pk,
        request=request,
        details={"record_id": access.record.pk, "role": access.role},
    )


@transaction.atomic
def thread_close(*, access: Access, thread: Thread, user, request=None) -> Thread:
    """The practitioner closes the thread (idempotent)."""
    if access.role != "practitioner":
        raise DomainError("Only the practitioner can close a conversation.", code="forbidden")
    thread = Thread.objects.select_for_update().get(pk=thread.pk, record=access.record)
    if thread.is_closed:
        return thread
    thread.closed_at = timezone.now()
    thread.closed_by = user
    thread.save(update_fields=["closed_at", "closed_by"])
    audit(
        actor=user,
        action="update",
        subject_user_id=access.record.client_id,
        object_type="message_thread",
        object_id=thread.pk,
        request=request,
        details={"record_id": access.record.pk, "change": "closed"},
    )
    return thread


def record_messages_read(*, access: Access, user, request=None) -> None:
    """Audits a read of the record's list of conversations (their subjects)."""
    audit(
        actor=user,
        action="read",
        subject_user_id=access.record.client_id,
        object_type="message_threads",
        object_id=access.record.pk,
        request=request,
        details={"record_id": access.record.pk, "role": access.role},
    )


def thread_read_audit(*, access: Access, thread: Thread, user, request=None) -> None:
    """Audits a read of the thread's messages without moving the read mark (the API
    reads and marks separately)."""
    audit(
        actor=user,
        action="read",
        subject_user_id=access.record.client_id,
        object_type="message_thread",
        object_id=thread.pk,
        request=request,
        details={"record_id": access.record.pk, "role": access.role},
    )
