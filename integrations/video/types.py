"""Values that cross the video boundary. boto3 and Chime objects never leave `live.py`;
what the browser needs travels as plain JSON in `join_info`."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class VideoError(Exception):
    """The provider refused the request or could not be reached. `retryable` says whether
    trying again later may succeed (throttling, the service briefly unavailable, network
    trouble); `code` is the provider's error code when it gave one."""

    def __init__(self, message: str, *, retryable: bool = False, code: str = ""):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.code = code


@dataclass(frozen=True)
class Meeting:
    """A meeting the provider holds open for one booking.

    `external_id` is ours ("booking-<id>"); `join_info` is JSON the browser side needs
    (for Chime the `{"Meeting": ...}` object `MeetingSessionConfiguration` accepts; for the
    peer-to-peer adapter `{"kind": "p2p"}`). `dial_in` is a phone number to join by voice,
    or "" when the provider offers none."""

    meeting_id: str
    external_id: str
    media_region: str
    join_info: Mapping[str, Any] = field(default_factory=dict)
    dial_in: str = ""


@dataclass(frozen=True)
class AttendeeJoin:
    """One person's admission to a meeting. `join_token` is a secret for that person's
    browser only: never log it, never store it."""

    attendee_id: str
    external_user_id: str
    join_token: str = field(repr=False)
    join_info: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RecordingHandle:
    """A server-side recording in progress: `pipeline_id` is the provider's id for it and
    `destination_key` is where (under our recording bucket) the files land."""

    pipeline_id: str
    destination_key: str
