"""Messaging's place in the record page, the person's export, erasure and retention."""

from collections.abc import Iterator

from privacy.export import ExportItem, json_file
from privacy.export import register as export_register
from privacy.registry import ErasureSubject, eraser_register
from privacy.retention import register as retention_register


def messages_export(user) -> Iterator[ExportItem]:
    """The client's conversations with each practitioner, as they see them. A
    practitioner's conversations with clients are their clients' data and are not in the
    practitioner's own export."""
    from marketplace.clients.messaging.models import Message, Thread

    threads = list(
        Thread.objects.filter(record__client=user)
        .select_related("record__practitioner")
        .order_by("created_at", "pk")
    )
    messages_by_thread: dict[int, list[dict]] = {}
    for message in (
        Message.objects.filter(thread__in=threads)
        .select_related("attachment")
        .order_by("created_at", "pk")
        .iterator(chunk_size=500)
    ):
        messages_by_thread.setdefault(message.thread_id, []).append(
            {
                "from": "you" if message.sender_id == user.pk else "practitioner",
                "attachment": message.attachment.title if message.attachment_id else None,
                "sent_at": message.created_at,
                "body": message.body,
            }
        )
    yield json_file(
        "conversations.json",
        [
            {
                "practitioner": thread.record.practitioner.display_name,
                "care_record_id": thread.record_id,
                "subject": thread.subject,
                "started_at": thread.created_at,
                "closed_at": thread.closed_at,
                "messages": messages_by_thread.get(thread.pk, []),
            }
            for thread in threads
        ],
    )


def messages_erase(subject: ErasureSubject) -> int:
    """The person's conversations as a client (threads, messages and read marks) are
    deleted: messages are correspondence, not the clinical record the retention policy
    keeps (docs/decisions/0033). Their read marks elsewhere go too. Messages they wrote as
    a practitioner stay in their clients' records, under the anonymised account."""
    from marketplace.clients.messaging.models import Message, ReadState, Thread

    if subject.user is None:
        return 0
    threads = Thread.objects.filter(record__client=subject.user)
    messages, _ = Message.objects.filter(thread__in=threads).delete()
    states, _ = ReadState.objects.filter(user=subject.user).delete()
    deleted_threads, _ = threads.delete()
    return messages + states + deleted_threads


def messages_purge(*, cutoff, dry_run: bool) -> int:
    """Retention: the conversations of care records whose last contact (the record's
    retention clock, which every message and confirmed session moves) is older than the
    cutoff. Returns how many messages go (or would)."""
    from django.db.models import Q

    from marketplace.clients.messaging.models import Message, ReadState, Thread

    threads = Thread.objects.filter(
        Q(record__last_contact_at__lt=cutoff)
        | Q(record__last_contact_at__isnull=True, record__opened_at__lt=cutoff)
    )
    count = Message.objects.filter(thread__in=threads).count()
    if not dry_run:
        Message.objects.filter(thread__in=threads).delete()
        ReadState.objects.filter(thread__in=threads).delete()
        threads.delete()
    return count


def register() -> None:
    from marketplace.clients.records import sections

    sections.register(
        "messages", "Messages", "care-messages-practitioner", "care-messages-client", order=60
    )
    export_register(
        "messages",
        messages_export,
        models=("messaging.Thread", "messaging.Message", "messaging.ReadState"),
    )
    eraser_register(
        name="messaging",
        eraser=messages_erase,
        models=("messaging.Thread", "messaging.Message", "messaging.ReadState"),
        order=50,
    )
    retention_register(
        "clinical_adult",
        messages_purge,
        name="messaging",
        models=("messaging.Thread", "messaging.Message"),
    )
