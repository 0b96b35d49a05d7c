"""Writes for session rooms (decision 0040): join tokens, opening and closing the room
(the video provider's meeting), joining and leaving, the waiting room, chat, files into
the care record, the recording consent state machine, the phone fallback and closing
rooms whose window has passed.

Every function that decides something under concurrency decides it in the database: a
token is consumed by one conditional UPDATE, a room is one row per booking, at most one
recording per room is in progress (partial unique constraint) and state changes happen
under `select_for_update`."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from commerce.bookings.models import Booking
from commerce.bookings.services import booking_mark_completed
from commerce.rooms import broadcast
from commerce.rooms.errors import RoomClosed, RoomStateConflict, TokenRefused
from commerce.rooms.models import ChatMessage, JoinToken, Recording, Room, RoomEvent
from commerce.rooms.selectors import (
    RoomAccess,
    chat_frame,
    chat_history,
    current_recording,
    is_present,
    recording_frame,
    room_for_participant,
    room_window,
)
from integrations.video import get_video_provider
from integrations.video.turn import ice_servers
from integrations.video.types import Meeting, VideoError

logger = logging.getLogger(__name__)

CLOSE_BAD_TOKEN = 4401
CLOSE_NOT_PARTICIPANT = 4404
CLOSE_ROOM_CLOSED = 4409
RECORDING_PREFIX = "room-recordings/"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
UPLOAD_CHUNK_BYTES = 64 * 1024


class VideoUnavailable(RoomStateConflict):
    """Video cannot start right now; use the phone fallback."""

    api_status = 503
    api_code = "video_unavailable"


class PractitionerOnly(RoomStateConflict):
    """Only the session's practitioner can do this."""

    api_status = 403
    api_code = "practitioner_only"


def _event(*, booking_id: int, user: User | None, kind: str, at: datetime, **detail: Any) -> None:
    RoomEvent.objects.create(
        booking_id=booking_id, user=user, kind=kind, at=at, detail=detail or {}
    )


def _require_open(access: RoomAccess, *, now: datetime) -> None:
    window = room_window(access.booking, now=now)
    if window.state == "early":
        raise RoomClosed(
            f"The room opens at {window.opens_at.isoformat()}.", code="room_not_open_yet"
        )
    if window.state == "ended":
        raise RoomClosed("This session's room has closed.", code="room_closed")


def _require_practitioner(access: RoomAccess) -> None:
    if access.role != "practitioner":
        raise PractitionerOnly()


def _meeting(room: Room) -> Meeting:
    return Meeting(
        meeting_id=room.meeting_id,
        external_id=f"booking-{room.booking_id}",
        media_region=room.media_region,
        join_info=room.join_info or {},
        dial_in=room.dial_in,
    )


# -- tokens -------------------------------------------------------------------------------


def join_token_issue(*, user: User, booking: Booking, now: datetime | None = None) -> JoinToken:
    """A token that lets `user` open the socket of `booking`'s room once, within the next
    ROOM_JOIN_TOKEN_SECONDS and never after the window closes. Http404 for anyone but the
    booking's two participants; RoomClosed before the window opens or after it closes (or
    once the session was delivered by phone)."""
    now = timezone.now() if now is None else now
    access = room_for_participant(user=user, booking_id=booking.pk)
    _require_open(access, now=now)
    if Room.objects.filter(booking_id=booking.pk, state=Room.State.ENDED).exists():
        raise RoomClosed("This session's room has closed.", code="room_closed")
    window = room_window(access.booking, now=now)
    expires_at = min(now + timedelta(seconds=settings.ROOM_JOIN_TOKEN_SECONDS), window.closes_at)
    return JoinToken.objects.create(
        booking=access.booking, user=user, expires_at=expires_at, issued_at=now
    )


def join_token_consume(
    *, token: str, user: User, booking_id: int, now: datetime | None = None
) -> JoinToken:
    """Spends `token` for `user` entering `booking_id`'s room: one conditional UPDATE, so
    of two sockets racing with one token exactly one gets it. TokenRefused when the token
    is malformed, unknown, someone else's, for another booking, used, revoked or expired."""
    now = timezone.now() if now is None else now
    try:
        value = uuid.UUID(str(token))
    except (TypeError, ValueError, AttributeError):
        raise TokenRefused("This join link is not valid.") from None
    spent = JoinToken.objects.filter(
        token=value,
        user_id=user.pk,
        booking_id=booking_id,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).update(used_at=now)
    if spent != 1:
        raise TokenRefused("This join link has expired or was already used.")
    return JoinToken.objects.get(token=value)


def join_tokens_revoke(
    *, user: User, booking_id: int, up_to_token_id: int | None = None, now: datetime | None = None
) -> int:
    """On leave: the person's tokens for the room are revoked, used or not, so a replayed
    link cannot bring a socket back. With `up_to_token_id` (the leaving socket's own token)
    only that one and older ones go: a token the page has just fetched to reconnect stays
    good."""
    now = timezone.now() if now is None else now
    tokens = JoinToken.objects.filter(
        user_id=user.pk, booking_id=booking_id, revoked_at__isnull=True
    )
    if up_to_token_id is not None:
        tokens = tokens.filter(pk__lte=up_to_token_id)
    return tokens.update(revoked_at=now)


# -- the room and its meeting --------------------------------------------------------------


def room_open(*, booking: Booking) -> Room:
    """The booking's room, creating it and the provider's meeting the first time. The
    one-to-one row and a row lock make `meeting_create` happen once per booking even when
    both participants join at the same moment; its idempotency key (from the booking) makes
    a retry after a lost answer return the same meeting. Raises VideoUnavailable when the
    provider cannot open a meeting."""
    provider = get_video_provider()
    with transaction.atomic():
        Room.objects.get_or_create(booking_id=booking.pk, defaults={"provider": provider.name})
        room = Room.objects.select_for_update().get(booking_id=booking.pk)
        if room.meeting_id:
            return room
        try:
            meeting = provider.meeting_create(
                external_id=f"booking-{booking.pk}",
                idempotency_key=f"aeyia-room-booking-{booking.pk}",
            )
        except VideoError as error:
            logger.warning(
                "video meeting could not be created",
                extra={"booking_id": booking.pk, "code": error.code, "retryable": error.retryable},
            )
            raise VideoUnavailable() from error
        room.provider = provider.name
        room.meeting_id = meeting.meeting_id
        room.media_region = meeting.media_region
        room.join_info = dict(meeting.join_info)
        room.dial_in = meeting.dial_in
        room.save(update_fields=["provider", "meeting_id", "media_region", "join_info", "dial_in"])
    return room


def room_join_config(*, access: RoomAccess, token: JoinToken) -> dict[str, Any]:
    """What the room page needs to connect (JSON): the adapter, the socket URL with the
    join token, ICE servers with fresh TURN credentials, this person's attendee for the
    meeting, the session's end and the phone fallback. Opens the room (and the provider's
    meeting) on the first call."""
    booking = access.booking
    room = room_open(booking=booking)
    provider = get_video_provider()
    external_user_id = f"user-{access.user.pk}"
    try:
        attendee = provider.attendee_create(
            meeting=_meeting(room), external_user_id=external_user_id
        )
    except VideoError as error:
        logger.warning(
            "video attendee could not be created",
            extra={"booking_id": booking.pk, "code": error.code, "retryable": error.retryable},
        )
        raise VideoUnavailable() from error
    window = room_window(booking)
    return {
        "provider": provider.name,
        "ws_url": f"/ws/rooms/{booking.pk}/?token={token.token}",
        "ice_servers": ice_servers(username_hint=external_user_id),
        "role": access.role,
        "token": str(token.token),
        "token_expires_at": token.expires_at.isoformat(),
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        "closes_at": window.closes_at.isoformat(),
        "admitted": access.role == "practitioner" or room.admitted_at is not None,
        "join_info": {
            "meeting": dict(room.join_info or {}),
            "attendee": {
                "attendee_id": attendee.attendee_id,
                "external_user_id": attendee.external_user_id,
                "join_token": attendee.join_token,
                **dict(attendee.join_info),
            },
        },
        "fallback_phone": room.fallback_phone or room.dial_in,
    }


def room_fallback_phone_set(*, practitioner: User, booking: Booking, phone_number: str) -> Room:
    """The number the client can ring this session if video cannot start (E.164, or ""
    to remove it). Only the session's practitioner sets it."""
    access = room_for_participant(user=practitioner, booking_id=booking.pk)
    _require_practitioner(access)
    number = re.sub(r"[\s().-]", "", phone_number or "")
    if number and not E164.match(number):
        raise ValidationError(
            "Enter the number in international form, for example +447700900123.",
            code="invalid_phone",
        )
    Room.objects.get_or_create(
        booking_id=booking.pk, defaults={"provider": get_video_provider().name}
    )
    room = Room.objects.get(booking_id=booking.pk)
    room.fallback_phone = number
    room.save(update_fields=["fallback_phone"])
    return room


# -- joining, leaving, the waiting room ---------------------------------------------------


def room_join(*, access: RoomAccess, token: str, now: datetime | None = None) -> dict[str, Any]:
    """A socket enters: the window must be open (RoomClosed), the token is spent
    (TokenRefused), the room is opened and a `joined` event recorded. Returns the
    `welcome` frame (admitted?, is the other side here?, the session's end, the chat so
    far, the recording state)."""
    now = timezone.now() if now is None else now
    _require_open(access, now=now)
    booking = access.booking
    with transaction.atomic():
        spent = join_token_consume(token=token, user=access.user, booking_id=booking.pk, now=now)
        room = room_open(booking=booking)
        if room.state == Room.State.ENDED:
            raise RoomClosed("This session's room has closed.", code="room_closed")
        _event(booking_id=booking.pk, user=access.user, kind=RoomEvent.Kind.JOINED, at=now)
    admitted = access.role == "practitioner" or room.admitted_at is not None
    return {
        "type": "welcome",
        "role": access.role,
        "admitted": admitted,
        "peer_present": is_present(booking_id=booking.pk, user_id=access.other_user.pk),
        "ends_at": booking.ends_at.isoformat(),
        # A client in the waiting room sees nothing of the room yet.
        "chat": chat_history(room, booking=booking) if admitted else [],
        "recording": recording_frame(current_recording(room)),
        "token_id": spent.pk,
    }


def room_leave(
    *,
    access: RoomAccess,
    token_id: int | None = None,
    stop_recording: bool = True,
    now: datetime | None = None,
) -> None:
    """A socket leaves (an explicit "leave" or a dropped connection): `left` is recorded and
    the socket's token (and older ones) revoked. Consent to recording holds only while both
    are there: a running recording stops when either side leaves (`stop_recording` is off
    only when the person's own newer socket took over)."""
    now = timezone.now() if now is None else now
    with transaction.atomic():
        _event(booking_id=access.booking.pk, user=access.user, kind=RoomEvent.Kind.LEFT, at=now)
        join_tokens_revoke(
            user=access.user, booking_id=access.booking.pk, up_to_token_id=token_id, now=now
        )
        room = Room.objects.filter(booking_id=access.booking.pk).first()
        if room is not None and stop_recording:
            recording = (
                Recording.objects.select_for_update()
                .filter(room=room, stopped_at__isnull=True, started_at__isnull=False)
                .first()
            )
            if recording is not None:
                _recording_stop(room=room, recording=recording, user=access.user, now=now)
                broadcast.to_room(access.booking.pk, recording_frame(None))


def room_admit(*, practitioner: User, booking: Booking, now: datetime | None = None) -> Room:
    """The practitioner lets the client in from the waiting room. Once admitted the client
    stays admitted for the session (a reconnect does not send them back to wait). Repeating
    it changes nothing."""
    now = timezone.now() if now is None else now
    access = room_for_participant(user=practitioner, booking_id=booking.pk)
    _require_practitioner(access)
    _require_open(access, now=now)
    with transaction.atomic():
        room = room_open(booking=access.booking)
        changed = Room.objects.filter(pk=room.pk, admitted_at__isnull=True).update(admitted_at=now)
        if changed:
            room.admitted_at = now
            _event(
                booking_id=booking.pk,
                user=practitioner,
                kind=RoomEvent.Kind.ADMITTED,
                at=now,
                client_id=access.other_user.pk,
            )
            broadcast.to_room(booking.pk, {"type": "admitted"})
        else:
            room.refresh_from_db(fields=["admitted_at"])
    return room


def room_fallback_record(
    *, access: RoomAccess, reason: str = "", now: datetime | None = None
) -> None:
    """Video could not start for this participant and the room showed the phone fallback."""
    now = timezone.now() if now is None else now
    _event(
        booking_id=access.booking.pk,
        user=access.user,
        kind=RoomEvent.Kind.FALLBACK_PHONE,
        at=now,
        reason=(reason or "")[:200],
    )


@transaction.atomic
def room_mark_delivered_by_phone(
    *, practitioner: User, booking: Booking, now: datetime | None = None
) -> Booking:
    """The practitioner records that the session took place by phone: the booking is
    completed now (the practitioner is paid as for any completed session), the room ends
    for both and a `delivered_by_phone` event is kept. Allowed from the start of a confirmed
    session until its room closes; repeating it returns the booking unchanged."""
    now = timezone.now() if now is None else now
    access = room_for_participant(user=practitioner, booking_id=booking.pk)
    _require_practitioner(access)
    locked = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service", "practitioner")
        .get(pk=booking.pk)
    )
    room, _ = Room.objects.get_or_create(
        booking_id=locked.pk, defaults={"provider": get_video_provider().name}
    )
    if room.delivered_by_phone_at is not None:
        return locked
    if locked.status != Booking.Status.CONFIRMED:
        raise RoomStateConflict(
            f"This booking is {locked.get_status_display().lower()}.", code="not_confirmed"
        )
    if locked.starts_at > now:
        raise RoomStateConflict(
            "A session can be marked as delivered by phone once it has started.",
            code="not_started",
        )
    if now >= room_window(locked, now=now).closes_at + timedelta(hours=24):
        raise RoomStateConflict(
            "This session ended too long ago to change how it was delivered.", code="too_late"
        )
    booking_mark_completed(booking=locked, now=now, how="by phone")
    Room.objects.filter(pk=room.pk).update(
        delivered_by_phone_at=now, state=Room.State.ENDED, ended_at=room.ended_at or now
    )
    _event(booking_id=locked.pk, user=practitioner, kind=RoomEvent.Kind.DELIVERED_BY_PHONE, at=now)
    broadcast.close_room(locked.pk, CLOSE_ROOM_CLOSED)
    if room.meeting_id:
        meeting_id = room.meeting_id
        transaction.on_commit(lambda: _meeting_end_quietly(meeting_id))
    return locked


def _meeting_end_quietly(meeting_id: str) -> None:
    try:
        get_video_provider().meeting_end(meeting_id=meeting_id)
    except VideoError:
        # The provider ends an empty meeting on its own; rooms_close_due does not retry a
        # room that is already ended.
        logger.warning("video meeting could not be ended", extra={"meeting_id": meeting_id})


# -- chat and files -----------------------------------------------------------------------


def chat_message_send(
    *, access: RoomAccess, text: str, now: datetime | None = None
) -> dict[str, Any]:
    """Stores a chat line (encrypted) and returns the `chat` frame for both sides.
    ValidationError for an empty or over-long message."""
    now = timezone.now() if now is None else now
    body = (text or "").strip() if isinstance(text, str) else ""
    if not body:
        raise ValidationError("Write a message first.", code="empty")
    if len(body) > settings.ROOM_CHAT_MAX_CHARS:
        raise ValidationError(
            f"Keep a message under {settings.ROOM_CHAT_MAX_CHARS} characters.", code="too_long"
        )
    _require_open(access, now=now)
    room = Room.objects.get(booking_id=access.booking.pk)
    with transaction.atomic():
        message = ChatMessage.objects.create(room=room, sender=access.user, body=body, sent_at=now)
        _event(
            booking_id=access.booking.pk,
            user=access.user,
            kind=RoomEvent.Kind.CHAT,
            at=now,
            message_id=message.pk,
        )
    return chat_frame(message, booking=access.booking)


def room_file_share(*, access: RoomAccess, upload, consent: bool, request=None):
    """A file sent in the room lands in the pair's care record (with the sender's consent),
    through the documents service: its content checks, size limit, envelope encryption
    and audit apply. Visible to both: a client's upload always is, a practitioner's is
    shared with the client. Both sockets are sent a `file` frame with their own link.
    ValidationError without consent or for a refused file; RoomClosed outside the window."""
    from marketplace.clients.documents.models import ClientDocument
    from marketplace.clients.documents.services import document_upload
    from marketplace.clients.records.services import care_record_open

    if consent is not True:
        raise ValidationError(
            "Tick the box to agree that the file is kept in the care record.", code="consent"
        )
    now = timezone.now()
    _require_open(access, now=now)
    booking = access.booking
    with transaction.atomic():
        record = care_record_open(
            client=booking.client, practitioner=booking.practitioner, booking_id=booking.pk
        )
        visibility = (
            ClientDocument.Visibility.SHARED_WITH_CLIENT if access.role == "practitioner" else None
        )
        document = document_upload(
            record=record,
            uploaded_by=access.user,
            file=upload,
            visibility=visibility,
            request=request,
        )
        _event(
            booking_id=booking.pk,
            user=access.user,
            kind=RoomEvent.Kind.FILE_SHARED,
            at=now,
            document_id=document.pk,
        )
        for role, url_name in (
            ("client", "care-document-download-client"),
            ("practitioner", "care-document-download-practitioner"),
        ):
            url = reverse(url_name, kwargs={"record_id": record.pk, "document_id": document.pk})
            broadcast.to_participant(
                booking.pk, role, {"type": "file", "name": document.original_filename, "url": url}
            )
    return document


# -- recording ----------------------------------------------------------------------------


def _consent_field(role: str) -> str:
    return "consent_client_at" if role == "client" else "consent_practitioner_at"


def _recording_stop(*, room: Room, recording: Recording, user: User | None, now: datetime) -> None:
    recording.stopped_at = now
    recording.save(update_fields=["stopped_at"])
    if recording.started_at is None:
        return
    _event(
        booking_id=room.booking_id,
        user=user,
        kind=RoomEvent.Kind.RECORDING_STOPPED,
        at=now,
        recording_id=recording.pk,
    )
    if recording.pipeline_id:
        from integrations.video.types import RecordingHandle

        handle = RecordingHandle(
            pipeline_id=recording.pipeline_id, destination_key=recording.destination_key
        )
        transaction.on_commit(lambda: _recording_stop_quietly(handle))


def _recording_stop_quietly(handle) -> None:
    try:
        get_video_provider().recording_stop(handle=handle)
    except VideoError:
        logger.warning("recording could not be stopped", extra={"pipeline_id": handle.pipeline_id})


def recording_consent(
    *, access: RoomAccess, consent: bool, now: datetime | None = None
) -> dict[str, Any]:
    """Gives or takes back this participant's consent to record. Taking it back stops a
    running recording at once (and a new recording needs both consents again). Returns the
    `recording` frame, also sent to both sides."""
    now = timezone.now() if now is None else now
    _require_open(access, now=now)
    field = _consent_field(access.role)
    with transaction.atomic():
        room = Room.objects.select_for_update().get(booking_id=access.booking.pk)
        recording = (
            Recording.objects.select_for_update().filter(room=room, stopped_at__isnull=True).first()
        )
        if consent:
            if recording is None:
                recording = Recording.objects.create(room=room, **{field: now})
            elif getattr(recording, field) is None:
                setattr(recording, field, now)
                recording.save(update_fields=[field])
        elif recording is not None:
            if recording.is_running:
                _recording_stop(room=room, recording=recording, user=access.user, now=now)
                recording = None
            else:
                setattr(recording, field, None)
                recording.save(update_fields=[field])
        frame = recording_frame(recording)
        broadcast.to_room(access.booking.pk, frame)
    return frame


def recording_start(*, access: RoomAccess, now: datetime | None = None) -> dict[str, Any]:
    """Starts the recording both have consented to (RoomStateConflict "consent_needed"
    otherwise). The live provider records on its servers; the peer-to-peer adapter
    answers None and the browser records, then uploads with `recording_store`."""
    now = timezone.now() if now is None else now
    _require_open(access, now=now)
    with transaction.atomic():
        room = Room.objects.select_for_update().get(booking_id=access.booking.pk)
        recording = (
            Recording.objects.select_for_update().filter(room=room, stopped_at__isnull=True).first()
        )
        if recording is None or not (
            recording.consent_client_at and recording.consent_practitioner_at
        ):
            raise RoomStateConflict(
                "Recording starts only when both of you have agreed.", code="consent_needed"
            )
        if not recording.is_running:
            destination_key = f"rooms/booking-{room.booking_id}/recording-{recording.pk}/"
            try:
                handle = get_video_provider().recording_start(
                    meeting=_meeting(room), destination_key=destination_key
                )
            except VideoError as error:
                raise VideoUnavailable("Recording could not start. Try again.") from error
            recording.started_at = now
            if handle is not None:
                recording.pipeline_id = handle.pipeline_id
                recording.destination_key = handle.destination_key
            recording.save(update_fields=["started_at", "pipeline_id", "destination_key"])
            _event(
                booking_id=room.booking_id,
                user=access.user,
                kind=RoomEvent.Kind.RECORDING_STARTED,
                at=now,
                recording_id=recording.pk,
            )
        frame = recording_frame(recording)
        broadcast.to_room(access.booking.pk, frame)
    return frame


def recording_stop(*, access: RoomAccess, now: datetime | None = None) -> dict[str, Any]:
    """Either participant stops the running recording (nothing happens if none runs)."""
    now = timezone.now() if now is None else now
    with transaction.atomic():
        room = Room.objects.select_for_update().get(booking_id=access.booking.pk)
        recording = (
            Recording.objects.select_for_update().filter(room=room, stopped_at__isnull=True).first()
        )
        if recording is not None and recording.is_running:
            _recording_stop(room=room, recording=recording, user=access.user, now=now)
            recording = None
        frame = recording_frame(recording)
        broadcast.to_room(access.booking.pk, frame)
    return frame


# Media containers a browser's MediaRecorder writes: WebM/Matroska (EBML), MP4 (an
# "ftyp" box) and Ogg. Anything else is not a recording.
_RECORDING_TYPES = (
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
    (b"ftyp", 4, "video/mp4"),
    (b"OggS", 0, "audio/ogg"),
)


def _sniff_recording(upload) -> str:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, offset, content_type in _RECORDING_TYPES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    raise ValidationError("This is not a recording (WebM, MP4 or Ogg).", code="not_a_recording")


def _upload_chunks(upload, digest, counter: list[int]):
    upload.seek(0)
    chunks = upload.chunks(UPLOAD_CHUNK_BYTES) if hasattr(upload, "chunks") else None
    source = chunks or iter(lambda: upload.read(UPLOAD_CHUNK_BYTES), b"")
    for chunk in source:
        counter[0] += len(chunk)
        if counter[0] > settings.ROOM_RECORDING_MAX_BYTES:
            raise ValidationError("The recording is larger than allowed.", code="too_large")
        digest.update(chunk)
        yield chunk


def recording_store(*, access: RoomAccess, upload) -> Recording:
    """Keeps the recording the browser made (peer-to-peer adapter) for the consented
    recording it belongs to: checked by content (WebM, MP4, Ogg) and size, encrypted with
    its own data key exactly as care-record documents are (documents.crypto frames, key
    from the key service) and written to the private storage. Only for a recording both
    consented to and that started; the first upload wins (RoomStateConflict after)."""
    from integrations.kms import get_kms
    from marketplace.clients.documents import blobs, crypto

    content_type = _sniff_recording(upload)
    recording = (
        Recording.objects.filter(
            room__booking_id=access.booking.pk,
            started_at__isnull=False,
            consent_client_at__isnull=False,
            consent_practitioner_at__isnull=False,
            storage_name="",
        )
        .order_by("-started_at", "-pk")
        .first()
    )
    if recording is None:
        raise RoomStateConflict(
            "There is no consented recording waiting for its file.", code="no_recording"
        )
    storage_name = f"{RECORDING_PREFIX}{secrets.token_hex(20)}"
    recording.storage_name = storage_name
    data_key = get_kms().generate_data_key(context=recording.encryption_context())
    digest = hashlib.sha256()
    counter = [0]
    stored_name = blobs.blob_write(
        storage_name,
        crypto.encrypt_chunks(data_key.plaintext, _upload_chunks(upload, digest, counter)),
    )
    try:
        now = timezone.now()
        with transaction.atomic():
            claimed = Recording.objects.filter(pk=recording.pk, storage_name="").update(
                storage_name=stored_name,
                content_type=content_type,
                size=counter[0],
                sha256=digest.hexdigest(),
                wrapped_key=data_key.wrapped,
                key_id=data_key.key_id,
                scheme=crypto.SCHEME,
                stored_at=now,
            )
            if claimed != 1:
                raise RoomStateConflict(
                    "This recording was already uploaded.", code="already_stored"
                )
    except BaseException:
        blobs.blob_delete(stored_name)
        raise
    recording.refresh_from_db()
    return recording


def recording_chunks(recording: Recording):
    """The plaintext of a stored recording, one frame at a time."""
    from integrations.kms import get_kms
    from marketplace.clients.documents import blobs, crypto

    key = get_kms().decrypt_data_key(
        wrapped_key=bytes(recording.wrapped_key or b""),
        key_id=recording.key_id,
        context=recording.encryption_context(),
    )
    with blobs.blob_reader(recording.storage_name) as read:
        yield from crypto.decrypt_stream(key, read)


# -- closing ------------------------------------------------------------------------------


def rooms_close_due(*, now: datetime | None = None) -> int:
    """Ends every open room whose window has closed (or whose booking is no longer
    confirmed): the provider's meeting is ended first, so a failure leaves the room open
    for the next run; then the row is marked ended, a running recording stops and the
    sockets close with 4409. One transaction per room with SKIP LOCKED, so two beat runs
    never end the same room twice. Returns how many rooms ended."""
    now = timezone.now() if now is None else now
    grace = timedelta(minutes=settings.ROOM_GRACE_MINUTES)
    due = list(
        Room.objects.filter(state=Room.State.OPEN)
        .filter(Q(booking__ends_at__lte=now - grace) | ~Q(booking__status=Booking.Status.CONFIRMED))
        .values_list("pk", flat=True)
    )
    ended = 0
    for room_id in due:
        with transaction.atomic():
            room = (
                Room.objects.select_for_update(skip_locked=True)
                .filter(pk=room_id, state=Room.State.OPEN)
                .first()
            )
            if room is None:
                continue
            if room.meeting_id:
                try:
                    get_video_provider().meeting_end(meeting_id=room.meeting_id)
                except VideoError as error:
                    if error.retryable:
                        continue
                    logger.warning(
                        "video meeting could not be ended", extra={"meeting_id": room.meeting_id}
                    )
            for recording in Recording.objects.select_for_update().filter(
                room=room, stopped_at__isnull=True
            ):
                _recording_stop(room=room, recording=recording, user=None, now=now)
            room.state = Room.State.ENDED
            room.ended_at = now
            room.save(update_fields=["state", "ended_at"])
            broadcast.close_room(room.booking_id, CLOSE_ROOM_CLOSED)
            ended += 1
    return ended


def chat_history_for(*, access: RoomAccess) -> list[dict[str, Any]]:
    room = Room.objects.filter(booking_id=access.booking.pk).first()
    return [] if room is None else chat_history(room, booking=access.booking)
