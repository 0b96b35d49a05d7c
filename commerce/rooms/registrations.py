"""What the rooms app declares to the privacy registries (called from RoomsConfig.ready):
erasure, export and the clinical retention purge of chat and recordings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from privacy.export import ExportItem, json_file
from privacy.registry import ErasureSubject

ERASED_MODELS = ("rooms.JoinToken", "rooms.RoomEvent", "rooms.ChatMessage")
EXPORTED_MODELS = ("rooms.RoomEvent", "rooms.ChatMessage")


def rooms_export(user) -> Iterator[ExportItem]:
    """The client's sessions in rooms: when each side came and went, and the chat as they
    saw it. A practitioner's rooms are their clients' data, not in their own export."""
    from commerce.rooms.models import ChatMessage, RoomEvent

    events = (
        RoomEvent.objects.filter(booking__client=user)
        .select_related("booking__practitioner")
        .order_by("booking_id", "at", "pk")
    )
    chats = (
        ChatMessage.objects.filter(room__booking__client=user)
        .select_related("room")
        .order_by("room__booking_id", "sent_at", "pk")
    )
    yield json_file(
        "rooms/events.json",
        [
            {
                "booking_id": event.booking_id,
                "who": "you" if event.user_id == user.pk else "your practitioner",
                "what": event.kind,
                "at": event.at,
            }
            for event in events.iterator(chunk_size=500)
        ],
    )
    yield json_file(
        "rooms/chat.json",
        [
            {
                "booking_id": message.room.booking_id,
                "from": "you" if message.sender_id == user.pk else "your practitioner",
                "sent_at": message.sent_at,
                "text": message.body,
            }
            for message in chats.iterator(chunk_size=500)
        ],
    )


def rooms_erase(subject: ErasureSubject) -> int:
    """The person's join tokens go; the chat of sessions where they were the client goes
    (correspondence, as messaging decides, decision 0033); what their events said beyond
    the bare fact of attendance (a fallback reason) is cleared. Attendance stays with the
    booking, which points at the anonymised account. Recordings are clinical records and
    stay until the retention purge."""
    from commerce.rooms.models import ChatMessage, JoinToken, RoomEvent

    if subject.user is None:
        return 0
    tokens, _ = JoinToken.objects.filter(user=subject.user).delete()
    chats, _ = ChatMessage.objects.filter(room__booking__client=subject.user).delete()
    cleared = RoomEvent.objects.filter(user=subject.user).exclude(detail={}).update(detail={})
    return tokens + chats + cleared


def rooms_retention_purge(*, cutoff: datetime, dry_run: bool = False) -> int:
    """Clinical retention: the chat and recordings of sessions that ended before `cutoff`
    when the pair's care record has had no contact since (the record's clock, which every
    confirmed session moves). Recording files are deleted with their rows."""
    from django.db.models import Exists, OuterRef, Q

    from commerce.rooms.models import ChatMessage, Recording, Room
    from marketplace.clients.documents import blobs
    from marketplace.clients.records.models import CareRecord

    recent_contact = CareRecord.objects.filter(
        client_id=OuterRef("booking__client_id"),
        practitioner_id=OuterRef("booking__practitioner_id"),
    ).filter(
        Q(last_contact_at__gte=cutoff) | Q(last_contact_at__isnull=True, opened_at__gte=cutoff)
    )
    rooms = Room.objects.filter(booking__ends_at__lt=cutoff).filter(~Exists(recent_contact))
    chats = ChatMessage.objects.filter(room__in=rooms)
    recordings = Recording.objects.filter(room__in=rooms)
    count = chats.count() + recordings.count()
    if dry_run:
        return count
    for name in recordings.exclude(storage_name="").values_list("storage_name", flat=True):
        blobs.blob_delete(name)
    chats.delete()
    recordings.delete()
    return count


def register_all() -> None:
    from privacy import export, retention
    from privacy.registry import eraser_register

    export.register("rooms", rooms_export, models=EXPORTED_MODELS)
    export.exclude(
        models=("rooms.JoinToken",),
        reason="a join token is a two-minute credential for one socket, not data about you",
    )
    eraser_register(name="rooms", eraser=rooms_erase, models=ERASED_MODELS, order=50)
    retention.register(
        "clinical_adult",
        rooms_retention_purge,
        name="rooms",
        models=("rooms.ChatMessage", "rooms.Recording"),
    )
