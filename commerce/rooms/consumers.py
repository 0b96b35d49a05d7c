"""The room's signalling socket, `ws/rooms/<booking_id>/?token=<uuid>` (decision 0040).

A socket is let in only when the session's user (AuthMiddlewareStack) is one of the
booking's two participants AND it presents a join token issued to that same user for that
booking, unused and unexpired (spent here, once). Frames are JSON; the protocol is in
/tmp/briefs/spec.md and docs/decisions/0040-session-rooms.md.

Signals (SDP offers/answers, ICE candidates) go only to the other participant's group
(`participant_group(booking, other_role)`), never to a room-wide group that would echo
them back or reach a socket of another room. A client the practitioner has not admitted
sends and receives no signals and no chat: the waiting room is enforced here, not in the
browser."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.errors import DomainError
from commerce.rooms import services
from commerce.rooms.errors import RoomClosed, TokenRefused
from commerce.rooms.selectors import (
    RoomAccess,
    participant_group,
    room_for_participant,
    room_group,
)

logger = logging.getLogger(__name__)

CLOSE_NORMAL = 1000
# A newer socket of the same person took over (a reconnect, a second tab).
CLOSE_REPLACED = 4000
MAX_SIGNAL_BYTES = 64 * 1024
RECORDING_ACTIONS = frozenset({"consent", "revoke", "start", "stop"})


class RoomConsumer(AsyncJsonWebsocketConsumer):
    access: RoomAccess | None = None
    token_id: int | None = None
    admitted = False
    joined = False
    replaced = False

    # -- connection -----------------------------------------------------------------------

    async def connect(self) -> None:
        # Accepted first, then closed with a code: a browser only sees the 44xx code of a
        # socket that was accepted (a refused handshake is a bare HTTP 403).
        await self.accept()
        user = self.scope.get("user")
        booking_id = self.scope["url_route"]["kwargs"]["booking_id"]
        token = (
            parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("token") or [""]
        )[0]
        if user is None or not user.is_authenticated:
            await self.close(code=services.CLOSE_BAD_TOKEN)
            return
        try:
            access = await database_sync_to_async(room_for_participant)(
                user=user, booking_id=booking_id
            )
        except Http404:
            await self.close(code=services.CLOSE_NOT_PARTICIPANT)
            return
        try:
            welcome = await database_sync_to_async(services.room_join)(access=access, token=token)
        except TokenRefused:
            await self.close(code=services.CLOSE_BAD_TOKEN)
            return
        except RoomClosed:
            await self.close(code=services.CLOSE_ROOM_CLOSED)
            return
        except DomainError as error:
            await self.send_json({"type": "error", "code": error.api_code, "detail": error.detail})
            await self.close(code=services.CLOSE_ROOM_CLOSED)
            return
        self.access = access
        self.token_id = welcome.pop("token_id")
        self.joined = True
        self.admitted = welcome["admitted"]
        booking_pk = access.booking.pk
        # Older sockets of this same person step aside before this one joins the groups.
        await self.channel_layer.group_send(
            participant_group(booking_pk, access.role),
            {"type": "room.replaced", "channel": self.channel_name},
        )
        await self.channel_layer.group_add(room_group(booking_pk), self.channel_name)
        await self.channel_layer.group_add(
            participant_group(booking_pk, access.role), self.channel_name
        )
        await self.send_json(welcome)
        await self._to_other({"type": "peer", "event": "joined"})
        if access.role == "client" and not self.admitted:
            await self._to_other({"type": "peer", "event": "waiting"})
        elif access.role == "practitioner" and welcome["peer_present"]:
            admitted = await database_sync_to_async(_client_admitted)(booking_pk)
            if not admitted:
                await self.send_json({"type": "peer", "event": "waiting"})

    async def disconnect(self, code: int) -> None:
        if self.access is None:
            return
        booking_pk = self.access.booking.pk
        await self.channel_layer.group_discard(room_group(booking_pk), self.channel_name)
        await self.channel_layer.group_discard(
            participant_group(booking_pk, self.access.role), self.channel_name
        )
        if self.joined:
            self.joined = False
            await database_sync_to_async(services.room_leave)(
                access=self.access, token_id=self.token_id, stop_recording=not self.replaced
            )
            if not self.replaced:
                await self._to_other({"type": "peer", "event": "left"})

    # -- frames from the browser ----------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.access is None:
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("bad_frame", "Each frame is a JSON object with a type.")
            return
        kind = content["type"]
        handler = getattr(self, f"_frame_{kind}", None)
        if handler is None:
            await self._error("unknown_type", f"Unknown frame type {kind[:40]!r}.")
            return
        # The waiting room: a client not yet admitted may only ping or leave; anything
        # else (signals above all) is dropped without an answer.
        if not self.admitted and kind not in {"ping", "leave"}:
            return
        try:
            await handler(content)
        except ValidationError as error:
            await self._error(getattr(error, "code", None) or "invalid", " ".join(error.messages))
        except DomainError as error:
            await self._error(error.api_code, error.detail)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is None:
            await self._error("bad_frame", "Frames are JSON text.")
            return
        await self.receive_json(await self.decode_json(text_data))

    async def decode_json(self, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def _frame_ping(self, content: dict) -> None:
        await self.send_json({"type": "pong", "t": content.get("t")})

    async def _frame_leave(self, content: dict) -> None:
        await self.close(code=CLOSE_NORMAL)

    async def _frame_signal(self, content: dict) -> None:
        data = content.get("data")
        if not isinstance(data, dict) or len(str(data)) > MAX_SIGNAL_BYTES:
            await self._error("bad_signal", "A signal carries an SDP description or a candidate.")
            return
        await self.channel_layer.group_send(
            participant_group(self.access.booking.pk, self.access.other_role),
            {"type": "room.signal", "data": data, "sender": self.channel_name},
        )

    async def _frame_chat(self, content: dict) -> None:
        frame = await database_sync_to_async(services.chat_message_send)(
            access=self.access, text=content.get("text")
        )
        await self.channel_layer.group_send(
            room_group(self.access.booking.pk), {"type": "room.chat", "frame": frame}
        )

    async def _frame_admit(self, content: dict) -> None:
        # room_admit sends {"type": "admitted"} to the whole room once it commits.
        await database_sync_to_async(services.room_admit)(
            practitioner=self.access.user, booking=self.access.booking
        )

    async def _frame_recording(self, content: dict) -> None:
        action = content.get("action")
        if action not in RECORDING_ACTIONS:
            await self._error("bad_action", "Recording actions: consent, revoke, start, stop.")
            return
        # Each service sends the new state to both sides once it commits.
        if action in {"consent", "revoke"}:
            await database_sync_to_async(services.recording_consent)(
                access=self.access, consent=action == "consent"
            )
        elif action == "start":
            await database_sync_to_async(services.recording_start)(access=self.access)
        else:
            await database_sync_to_async(services.recording_stop)(access=self.access)

    async def _frame_media(self, content: dict) -> None:
        audio_only = content.get("audio_only")
        if not isinstance(audio_only, bool):
            await self._error("bad_media", "audio_only is true or false.")
            return
        await self._to_other({"type": "media", "audio_only": audio_only})

    async def _frame_fallback(self, content: dict) -> None:
        reason = content.get("reason")
        await database_sync_to_async(services.room_fallback_record)(
            access=self.access, reason=reason if isinstance(reason, str) else ""
        )
        await self._to_other({"type": "peer", "event": "fallback"})

    # -- events from the channel layer ----------------------------------------------------

    async def room_signal(self, event: dict) -> None:
        if event.get("sender") == self.channel_name or not self.admitted:
            return
        await self.send_json({"type": "signal", "data": event["data"]})

    async def room_chat(self, event: dict) -> None:
        if self.admitted:
            await self.send_json(event["frame"])

    async def room_forward(self, event: dict) -> None:
        frame = event["frame"]
        if frame.get("type") == "admitted":
            self.admitted = True
        await self.send_json(frame)

    async def room_peer(self, event: dict) -> None:
        await self.send_json(event["frame"])

    async def room_replaced(self, event: dict) -> None:
        if event.get("channel") == self.channel_name:
            return
        self.replaced = True
        await self.close(code=CLOSE_REPLACED)

    async def room_close(self, event: dict) -> None:
        await self.close(code=int(event.get("code") or services.CLOSE_ROOM_CLOSED))

    # -- helpers --------------------------------------------------------------------------

    async def _to_other(self, frame: dict) -> None:
        await self.channel_layer.group_send(
            participant_group(self.access.booking.pk, self.access.other_role),
            {"type": "room.peer", "frame": frame},
        )

    async def _error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})


def _client_admitted(booking_id: int) -> bool:
    from commerce.rooms.models import Room

    return Room.objects.filter(booking_id=booking_id, admitted_at__isnull=False).exists()
