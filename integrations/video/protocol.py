"""The video operations Aeyia uses for session rooms. `local.LocalVideoProvider` is
peer-to-peer WebRTC (two browsers, signalling over our own WebSocket, TURN for NAT);
`live.ChimeVideoProvider` is the AWS Chime SDK Meetings."""

from typing import Protocol

from integrations.video.types import AttendeeJoin, Meeting, RecordingHandle


class VideoProvider(Protocol):
    # "local" or "chime": tells the room page which browser module to load.
    name: str
    # The most people one meeting admits (peer-to-peer caps a room at two).
    max_participants: int

    def meeting_create(self, *, external_id: str, idempotency_key: str) -> Meeting:
        """Open a meeting for `external_id` ("booking-<id>", never personal data).
        `idempotency_key` is derived from our own row, so a retried call returns the same
        meeting instead of opening a second one. Raises `types.VideoError`."""
        ...

    def attendee_create(self, *, meeting: Meeting, external_user_id: str) -> AttendeeJoin:
        """Admit `external_user_id` ("user-<id>", never an email) to `meeting`. Asking
        again for the same person returns the same attendee. `meeting.join_info` may be
        empty (a meeting rebuilt from a stored id): the adapter then fetches what the
        browser needs. Raises `types.VideoError`."""
        ...

    def meeting_end(self, *, meeting_id: str) -> None:
        """End the meeting for everyone. Ending one that is already gone is not an error."""
        ...

    def recording_start(self, *, meeting: Meeting, destination_key: str) -> RecordingHandle | None:
        """Start a server-side recording into `destination_key` under the recording
        bucket, or return None when the provider cannot record on the server and the
        browser records instead (peer-to-peer: the media never passes through us)."""
        ...

    def recording_stop(self, *, handle: RecordingHandle) -> None:
        """Stop a recording `recording_start` began. Stopping one already stopped is not
        an error."""
        ...
