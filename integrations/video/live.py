"""The live video adapter: AWS Chime SDK Meetings (`chime-sdk-meetings`, not the legacy
`chime` client) for meetings and attendees, and Chime SDK Media Pipelines for server-side
recording into our S3 bucket.

This is the only module that imports boto3/botocore for video. Both clients have explicit
connect and read timeouts and a bounded number of attempts (botocore's "standard" retry
mode retries throttling, 5xx and connection errors with backoff, nothing else).

Mutating calls carry a ClientRequestToken derived from our own row, so a retry after a
lost response returns the meeting or pipeline the first attempt made instead of a second
one. Nothing personal is sent: the meeting is "booking-<id>", the attendee "user-<id>"."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from django.conf import settings

from integrations.video.types import AttendeeJoin, Meeting, RecordingHandle, VideoError

logger = logging.getLogger(__name__)

# Chime's own names for "try again later" (meetings and media pipelines differ).
RETRYABLE_CODES = frozenset(
    {"ThrottlingException", "ThrottledClientException", "ServiceUnavailableException",
     "ServiceFailureException"}
)  # fmt: skip
GONE_CODES = frozenset({"NotFoundException"})

# Chime's limits on ExternalMeetingId / ExternalUserId (2–64 characters, "aws:" reserved);
# we also refuse anything that looks like an email address or a name with spaces, so only
# opaque ids ("booking-42", "user-7") can reach AWS.
_EXTERNAL_ID = re.compile(r"^(?!aws:)[A-Za-z0-9_.:-]{2,64}$")
_TOKEN_ALPHABET = re.compile(r"[^-_a-zA-Z0-9]")

# One composited picture (both cameras in a grid, a shared screen as the presenter) with
# the mixed audio, instead of a separate stream per person: the recording is watched as
# the session looked. Separate video and content artifacts are then switched off.
COMPOSITED_ARTIFACTS: dict[str, Any] = {
    "Audio": {"MuxType": "AudioWithCompositedVideo"},
    "Video": {"State": "Disabled"},
    "Content": {"State": "Disabled"},
    "CompositedVideo": {
        "Layout": "GridView",
        "Resolution": "HD",
        "GridViewConfiguration": {"ContentShareLayout": "PresenterOnly"},
    },
}


def client_config() -> Config:
    """Timeouts and retries for every Chime request (settings VIDEO_TIMEOUT_SECONDS,
    VIDEO_MAX_ATTEMPTS: total attempts, the first included)."""
    return Config(
        region_name=settings.AWS_CHIME_REGION,
        connect_timeout=settings.VIDEO_TIMEOUT_SECONDS,
        read_timeout=settings.VIDEO_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": settings.VIDEO_MAX_ATTEMPTS},
    )


def client_request_token(key: str) -> str:
    """A ClientRequestToken (2–64 of `[-_a-zA-Z0-9]`) for our idempotency key. Short keys
    that already fit are kept readable; anything else is hashed, so the same key always
    gives the same token."""
    if 2 <= len(key) <= 64 and not _TOKEN_ALPHABET.search(key):
        return key
    return "k-" + hashlib.sha256(key.encode()).hexdigest()[:62]


def _check_external_id(value: str, *, what: str) -> None:
    if not _EXTERNAL_ID.match(value):
        raise VideoError(
            f"{what} must be an opaque id of 2–64 letters, digits, '-', '_', '.' or ':' "
            "that does not start with 'aws:' (never an email or a name).",
            code="InvalidExternalId",
        )


def _video_error(error: ClientError | BotoCoreError, *, doing: str) -> VideoError:
    if isinstance(error, ParamValidationError):
        # Our request broke the API's rules (a malformed id): trying again cannot help.
        return VideoError(f"Invalid request while {doing}: {error}", code="InvalidParameter")
    if isinstance(error, BotoCoreError):
        # Timeouts and connection errors that outlasted the bounded retries.
        return VideoError(f"Chime could not be reached while {doing}: {error}", retryable=True)
    details = error.response.get("Error", {})
    code = details.get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return VideoError(
        f"Chime refused {doing}: {code} {details.get('Message', '')}".strip(),
        retryable=code in RETRYABLE_CODES or status >= 500,
        code=code,
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _meeting_json(meeting: Mapping[str, Any]) -> dict[str, Any]:
    """The `Meeting` object as the browser SDK's MeetingSessionConfiguration reads it."""
    keep = ("MeetingId", "ExternalMeetingId", "MediaRegion", "MediaPlacement",
            "MeetingFeatures", "MeetingArn")  # fmt: skip
    return {key: meeting[key] for key in keep if key in meeting}


class ChimeVideoProvider:
    """Meetings in CHIME_MEDIA_REGION through the Chime SDK control plane in
    AWS_CHIME_REGION; recordings to CHIME_RECORDING_BUCKET. Credentials come from the
    standard AWS chain (an IAM role in production). Raises `types.VideoError`."""

    name = "chime"
    # Chime SDK meetings hold up to 250 attendees; a session room still has two people,
    # and the room service decides who may join, not this number.
    max_participants = 250

    def __init__(self, meetings_client: Any | None = None, pipelines_client: Any | None = None):
        session = boto3.session.Session()
        self._meetings = meetings_client or session.client(
            "chime-sdk-meetings", config=client_config()
        )
        self._pipelines = pipelines_client or session.client(
            "chime-sdk-media-pipelines", config=client_config()
        )

    def meeting_create(self, *, external_id: str, idempotency_key: str) -> Meeting:
        _check_external_id(external_id, what="ExternalMeetingId")
        try:
            response = self._meetings.create_meeting(
                ClientRequestToken=client_request_token(idempotency_key),
                MediaRegion=settings.CHIME_MEDIA_REGION,
                ExternalMeetingId=external_id,
            )
        except (ClientError, BotoCoreError) as error:
            raise _video_error(error, doing="creating a meeting") from error
        meeting = response["Meeting"]
        logger.info(
            "chime meeting created",
            extra={"meeting_id": meeting["MeetingId"], "external_id": external_id},
        )
        return self._meeting(meeting)

    def attendee_create(self, *, meeting: Meeting, external_user_id: str) -> AttendeeJoin:
        _check_external_id(external_user_id, what="ExternalUserId")
        meeting_json = dict(meeting.join_info.get("meeting", {}).get("Meeting", {}))
        if not meeting_json.get("MediaPlacement"):
            # A meeting rebuilt from the id we stored: the browser needs the media
            # placement, which only Chime knows.
            meeting_json = self._meeting_get(meeting.meeting_id)
        try:
            response = self._meetings.create_attendee(
                MeetingId=meeting.meeting_id, ExternalUserId=external_user_id
            )
        except (ClientError, BotoCoreError) as error:
            raise _video_error(error, doing="adding an attendee") from error
        attendee = response["Attendee"]
        return AttendeeJoin(
            attendee_id=attendee["AttendeeId"],
            external_user_id=attendee["ExternalUserId"],
            join_token=attendee["JoinToken"],
            join_info={
                "kind": "chime",
                "meeting": {"Meeting": _meeting_json(meeting_json)},
                "attendee": {
                    "Attendee": {
                        "AttendeeId": attendee["AttendeeId"],
                        "ExternalUserId": attendee["ExternalUserId"],
                        "JoinToken": attendee["JoinToken"],
                    }
                },
            },
        )

    def meeting_end(self, *, meeting_id: str) -> None:
        try:
            self._meetings.delete_meeting(MeetingId=meeting_id)
        except ClientError as error:
            if _code(error) in GONE_CODES:
                return  # already ended (by us, or by Chime after everyone left)
            raise _video_error(error, doing="ending a meeting") from error
        except BotoCoreError as error:
            raise _video_error(error, doing="ending a meeting") from error

    def recording_start(self, *, meeting: Meeting, destination_key: str) -> RecordingHandle:
        bucket = settings.CHIME_RECORDING_BUCKET
        if not bucket:
            raise VideoError("CHIME_RECORDING_BUCKET is not set.", code="NotConfigured")
        meeting_arn = meeting.join_info.get("meeting", {}).get("Meeting", {}).get("MeetingArn")
        if not meeting_arn:
            meeting_arn = self._meeting_get(meeting.meeting_id).get("MeetingArn", "")
        if not meeting_arn:
            raise VideoError(f"Chime gave no ARN for meeting {meeting.meeting_id}.", code="NoArn")
        prefix = destination_key.strip("/")
        try:
            response = self._pipelines.create_media_capture_pipeline(
                SourceType="ChimeSdkMeeting",
                SourceArn=meeting_arn,
                SinkType="S3Bucket",
                # Chime writes its chunks under this prefix in the bucket.
                SinkArn=f"arn:aws:s3:::{bucket}/{prefix}",
                ClientRequestToken=client_request_token(f"recording:{prefix}"),
                ChimeSdkMeetingConfiguration={"ArtifactsConfiguration": COMPOSITED_ARTIFACTS},
            )
        except (ClientError, BotoCoreError) as error:
            raise _video_error(error, doing="starting a recording") from error
        pipeline = response["MediaCapturePipeline"]
        return RecordingHandle(pipeline_id=pipeline["MediaPipelineId"], destination_key=prefix)

    def recording_stop(self, *, handle: RecordingHandle) -> None:
        try:
            self._pipelines.delete_media_capture_pipeline(MediaPipelineId=handle.pipeline_id)
        except ClientError as error:
            if _code(error) in GONE_CODES:
                return  # already stopped (the meeting ended, which ends its pipelines)
            raise _video_error(error, doing="stopping a recording") from error
        except BotoCoreError as error:
            raise _video_error(error, doing="stopping a recording") from error

    def _meeting_get(self, meeting_id: str) -> dict[str, Any]:
        try:
            response = self._meetings.get_meeting(MeetingId=meeting_id)
        except (ClientError, BotoCoreError) as error:
            raise _video_error(error, doing="looking up a meeting") from error
        return dict(response["Meeting"])

    def _meeting(self, meeting: Mapping[str, Any]) -> Meeting:
        return Meeting(
            meeting_id=meeting["MeetingId"],
            external_id=meeting.get("ExternalMeetingId", ""),
            media_region=meeting.get("MediaRegion", ""),
            join_info={"kind": "chime", "meeting": {"Meeting": _meeting_json(meeting)}},
            # The Chime SDK meeting carries no phone bridge; dial-in needs a SIP media
            # application of its own (decision 0041), so there is none to offer.
            dial_in="",
        )
