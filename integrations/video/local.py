"""The peer-to-peer video adapter (DESIGN.md §4 `local`): no outside service. The two
browsers connect to each other with WebRTC (media encrypted end to end with DTLS-SRTP),
signalling over the room's WebSocket and relaying through TURN when NAT demands it.

Nothing here talks to a server: a "meeting" is a deterministic id derived from the
external id, and every call is recorded in `LocalVideoProvider.calls` (the way Django's
locmem email backend fills `mail.outbox`); tests call `LocalVideoProvider.reset()`."""

import hashlib
import threading
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

from integrations.video.turn import ice_servers
from integrations.video.types import AttendeeJoin, Meeting, RecordingHandle, VideoError

# Fixed namespace so meeting ids are stable across processes and runs.
_MEETING_NAMESPACE = uuid.UUID("7b0d6f38-3f5e-4c1e-9a47-5d1f3c2a9e10")
# This adapter also serves production (with TURN), in long-lived web processes: what it
# remembers is bounded so it never grows with the number of sessions ever held.
MAX_RECORDED_CALLS = 1000
MAX_TRACKED_MEETINGS = 10_000


@dataclass(frozen=True)
class LocalVideoCall:
    """One recorded call: the operation and the keyword arguments it was given."""

    operation: str
    params: dict[str, Any] = field(default_factory=dict)


class LocalVideoProvider:
    """Peer-to-peer rooms. A mesh of two browsers has no media server to fan streams
    out, so a meeting admits at most two distinct people; asking for a third raises
    `VideoError`. Recording happens in the browser (`recording_start` returns None) and
    there is no dial-in.

    The admitted people and ended meetings are remembered per process (the most recent
    MAX_TRACKED_MEETINGS): the cap is a guard in the process that opened the meeting, and
    the room service's own rule (only the booking's two participants) is what holds
    across processes."""

    name = "local"
    max_participants = 2

    calls: ClassVar[deque[LocalVideoCall]] = deque(maxlen=MAX_RECORDED_CALLS)
    # meeting id -> external user ids admitted so far (in order); oldest meeting first
    _attendees: ClassVar[OrderedDict[str, list[str]]] = OrderedDict()
    # meeting id -> None, oldest first (an ordered set)
    _ended: ClassVar[OrderedDict[str, None]] = OrderedDict()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def meeting_create(self, *, external_id: str, idempotency_key: str) -> Meeting:
        meeting_id = str(uuid.uuid5(_MEETING_NAMESPACE, external_id))
        with self._lock:
            self._record("meeting_create", external_id=external_id, idempotency_key=idempotency_key)
            # A booking's room can be opened again after it was ended (a reconnect after
            # the grace period is refused upstream, not here).
            self._ended.pop(meeting_id, None)
            self._track(meeting_id)
        return Meeting(
            meeting_id=meeting_id,
            external_id=external_id,
            media_region="local",
            join_info={"kind": "p2p", "max_participants": self.max_participants},
            dial_in="",
        )

    def attendee_create(self, *, meeting: Meeting, external_user_id: str) -> AttendeeJoin:
        with self._lock:
            self._record(
                "attendee_create",
                meeting_id=meeting.meeting_id,
                external_user_id=external_user_id,
            )
            if meeting.meeting_id in self._ended:
                raise VideoError(f"Meeting {meeting.meeting_id} has ended.", code="NotFound")
            admitted = self._track(meeting.meeting_id)
            if external_user_id not in admitted:
                if len(admitted) >= self.max_participants:
                    raise VideoError(
                        "A peer-to-peer room holds at most two people.", code="LimitExceeded"
                    )
                admitted.append(external_user_id)
        digest = hashlib.sha256(f"{meeting.meeting_id}:{external_user_id}".encode()).hexdigest()
        # The browser proves who it is to our WebSocket with the room's join token, not
        # with this one; it is derived (not random) so repeated joins are stable in tests.
        return AttendeeJoin(
            attendee_id=f"local-attendee-{digest[:16]}",
            external_user_id=external_user_id,
            join_token=f"local-join-{digest[16:48]}",
            join_info={
                "kind": "p2p",
                "ice_servers": ice_servers(username_hint=external_user_id),
            },
        )

    def meeting_end(self, *, meeting_id: str) -> None:
        with self._lock:
            self._record("meeting_end", meeting_id=meeting_id)
            self._ended[meeting_id] = None
            while len(self._ended) > MAX_TRACKED_MEETINGS:
                self._ended.popitem(last=False)
            self._attendees.pop(meeting_id, None)

    def recording_start(self, *, meeting: Meeting, destination_key: str) -> RecordingHandle | None:
        with self._lock:
            self._record(
                "recording_start", meeting_id=meeting.meeting_id, destination_key=destination_key
            )
        return None

    def recording_stop(self, *, handle: RecordingHandle) -> None:
        with self._lock:
            self._record("recording_stop", pipeline_id=handle.pipeline_id)

    def _track(self, meeting_id: str) -> list[str]:
        admitted = self._attendees.setdefault(meeting_id, [])
        self._attendees.move_to_end(meeting_id)
        while len(self._attendees) > MAX_TRACKED_MEETINGS:
            self._attendees.popitem(last=False)
        return admitted

    def _record(self, operation: str, **params: Any) -> None:
        self.calls.append(LocalVideoCall(operation=operation, params=params))

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.calls.clear()
            cls._attendees.clear()
            cls._ended.clear()
