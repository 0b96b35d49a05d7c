"""Frames a service sends to the sockets of a room through the channel layer, after its
transaction commits (a rolled-back admit or file share tells nobody anything).

The consumer handles two event types: `room.forward` (send `frame` to the browser) and
`room.close` (close the socket with `code`)."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from commerce.rooms.selectors import participant_group, room_group

logger = logging.getLogger(__name__)


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        # A live nudge: the state is in the database and a rejoining browser reads it.
        # A layer outage must not turn a committed admit or upload into an error page.
        logger.warning("room broadcast failed", extra={"group": group}, exc_info=True)


def to_room(booking_id: int, frame: dict[str, Any]) -> None:
    """After commit: `frame` to both participants of the booking's room."""
    transaction.on_commit(
        lambda: _send(room_group(booking_id), {"type": "room.forward", "frame": frame})
    )


def to_participant(booking_id: int, role: str, frame: dict[str, Any]) -> None:
    """After commit: `frame` to one side ("client" or "practitioner") of the room."""
    transaction.on_commit(
        lambda: _send(participant_group(booking_id, role), {"type": "room.forward", "frame": frame})
    )


def close_room(booking_id: int, code: int) -> None:
    """After commit: every socket of the booking's room closes with `code`."""
    transaction.on_commit(
        lambda: _send(room_group(booking_id), {"type": "room.close", "code": code})
    )
