"""Reads for messaging. Unread counts are computed in the database, in the same query as
the list they annotate (never one query per thread)."""

from datetime import UTC, datetime

from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from marketplace.clients.messaging.models import Message, ReadState, Thread
from marketplace.clients.records.access import records_for
from marketplace.clients.records.models import CareRecord

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _read_up_to(user) -> Coalesce:
    return Coalesce(
        Subquery(
            ReadState.objects.filter(thread=OuterRef("pk"), user=user).values("last_read_at")[:1]
        ),
        Value(_EPOCH, output_field=DateTimeField()),
        output_field=DateTimeField(),
    )


def threads_with_unread(*, user, record: CareRecord | None = None) -> QuerySet[Thread]:
    """Threads (of one record, or of every record the user is client or practitioner
    of) with `unread`: messages from the other side newer than the user's read mark."""
    if record is not None:
        threads = Thread.objects.filter(record=record)
    else:
        threads = Thread.objects.filter(record__in=records_for(user))
    return threads.annotate(
        read_up_to=_read_up_to(user),
        unread=Count(
            "messages",
            filter=Q(messages__created_at__gt=Coalesce("read_up_to", Value(_EPOCH)))
            & ~Q(messages__sender=user),
        ),
    ).order_by("-last_message_at", "-pk")


def inbox(*, user) -> QuerySet[CareRecord]:
    """The user's care records that have messages, each with `unread` (messages to them
    not yet read, over all its threads) and `last_message_at`: one query."""
    unread_in_record = (
        Message.objects.filter(thread__record=OuterRef("pk"))
        .exclude(sender=user)
        .annotate(
            read_up_to=Coalesce(
                Subquery(
                    ReadState.objects.filter(thread=OuterRef("thread"), user=user).values(
                        "last_read_at"
                    )[:1]
                ),
                Value(_EPOCH, output_field=DateTimeField()),
                output_field=DateTimeField(),
            )
        )
        .filter(created_at__gt=F("read_up_to"))
        .order_by()
        .values("thread__record")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_message = (
        Thread.objects.filter(record=OuterRef("pk"))
        .order_by("-last_message_at")
        .values("last_message_at")[:1]
    )
    return (
        records_for(user)
        .filter(message_threads__isnull=False)
        .distinct()
        .select_related("client", "practitioner")
        .annotate(
            unread=Coalesce(Subquery(unread_in_record), Value(0)),
            last_message_at=Subquery(last_message),
        )
        .order_by("-last_message_at", "-pk")
    )


def unread_total(*, user) -> int:
    """Every message waiting for the user, over all their records: one query."""
    return (
        Message.objects.filter(thread__record__in=records_for(user))
        .exclude(sender=user)
        .annotate(
            read_up_to=Coalesce(
                Subquery(
                    ReadState.objects.filter(thread=OuterRef("thread"), user=user).values(
                        "last_read_at"
                    )[:1]
                ),
                Value(_EPOCH, output_field=DateTimeField()),
                output_field=DateTimeField(),
            )
        )
        .filter(created_at__gt=F("read_up_to"))
        .count()
    )


def thread_messages(*, thread: Thread) -> QuerySet[Message]:
    """The thread's messages, oldest first, senders joined (page through it)."""
    return (
        Message.objects.filter(thread=thread).select_related("sender").order_by("created_at", "pk")
    )
