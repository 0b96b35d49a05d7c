"""The Chime adapter against botocore's Stubber. The `chime-sdk-meetings` client is built
from the vendor's own service model in tests/vendor_data (checked byte for byte), so every
expected parameter and every canned response is validated against AWS's published API."""

import hashlib
import json
import re
from functools import cache
from pathlib import Path

import botocore.session
import pytest
from botocore.exceptions import ConnectTimeoutError, ParamValidationError
from botocore.stub import ANY, Stubber

from integrations.video import get_video_provider
from integrations.video.live import ChimeVideoProvider, client_request_token
from integrations.video.types import Meeting, RecordingHandle, VideoError

VENDOR = Path(__file__).resolve().parents[2] / "vendor_data" / "aws-chime-sdk-meetings"
MODEL = VENDOR / "chime-sdk-meetings" / "2021-07-15" / "service-2.json"
MEETING_ID = "4f1b8c2e-0d6a-4a57-9a3e-2b8f6c1d7e90"
ATTENDEE_ID = "a1c3e5f7-2b4d-4f6a-8c0e-1a3b5c7d9e2f"
PIPELINE_ID = "0a9b8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d"
MEETING_ARN = f"arn:aws:chime:us-east-1:111122223333:meeting/{MEETING_ID}"
PLACEMENT = {
    "AudioHostUrl": "abc.k.m3.ue1.app.chime.aws:3478",
    "AudioFallbackUrl": "wss://haxrp.m3.ue1.app.chime.aws:443/calls/x",
    "SignalingUrl": "wss://signal.m3.ue1.app.chime.aws/control/x",
    "TurnControlUrl": "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions",
    "EventIngestionUrl": "https://data.svc.ue1.ingest.chime.aws/v1/client-events",
}
CHIME_MEETING = {
    "MeetingId": MEETING_ID,
    "ExternalMeetingId": "booking-42",
    "MediaRegion": "eu-west-2",
    "MediaPlacement": PLACEMENT,
    "MeetingArn": MEETING_ARN,
}
JOIN_TOKEN = "YTFjM2U1ZjctMmI0ZC00ZjZhLThjMGUtMWEzYjVjN2Q5ZTJmOnNlY3JldA"


def readme_sha256(name: str) -> str:
    text = (VENDOR / "README.md").read_text()
    return re.search(rf"sha256 of `{re.escape(name)}`: `([0-9a-f]{{64}})`", text).group(1)


@cache
def vendor_session() -> botocore.session.Session:
    session = botocore.session.Session()
    # data_path puts the folder ahead of botocore's own data on the loader's search path.
    session.set_config_variable("data_path", str(VENDOR))
    return session


@cache
def installed_session() -> botocore.session.Session:
    return botocore.session.Session()


@pytest.fixture
def meetings():
    client = vendor_session().create_client("chime-sdk-meetings", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def pipelines():
    client = installed_session().create_client("chime-sdk-media-pipelines", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def provider(meetings, pipelines):
    return ChimeVideoProvider(meetings_client=meetings[0], pipelines_client=pipelines[0])


def test_the_model_under_test_is_the_vendor_file():
    assert hashlib.sha256(MODEL.read_bytes()).hexdigest() == readme_sha256("service-2.json")
    notice = VENDOR / "NOTICE"
    assert hashlib.sha256(notice.read_bytes()).hexdigest() == readme_sha256("NOTICE")
    loader = vendor_session().get_component("data_loader")
    data, path = loader.load_data_with_path("chime-sdk-meetings/2021-07-15/service-2")
    assert Path(path + ".json").resolve() == MODEL
    assert data == json.loads(MODEL.read_text())


def test_the_stubbed_client_rejects_a_field_the_model_lacks(meetings):
    _client, stubber = meetings
    with pytest.raises(ParamValidationError):
        stubber.add_response("get_meeting", {"Meeting": {**CHIME_MEETING, "Phone": "+1555"}})


def test_meeting_create_sends_only_opaque_ids_and_an_idempotency_token(provider, meetings):
    _client, stubber = meetings
    stubber.add_response(
        "create_meeting",
        {"Meeting": CHIME_MEETING},
        {
            "ClientRequestToken": "room-42-open-1",
            "MediaRegion": "eu-west-2",
            "ExternalMeetingId": "booking-42",
        },
    )
    meeting = provider.meeting_create(external_id="booking-42", idempotency_key="room-42-open-1")
    assert meeting.meeting_id == MEETING_ID
    assert meeting.external_id == "booking-42"
    assert meeting.media_region == "eu-west-2"
    assert meeting.dial_in == ""
    assert meeting.join_info == {"kind": "chime", "meeting": {"Meeting": CHIME_MEETING}}
    json.dumps(meeting.join_info)  # what the page embeds must be plain JSON


def test_a_retried_create_sends_the_same_token(provider, meetings):
    _client, stubber = meetings
    key = "room:42:open:2026-12-07T12:00:00+00:00"  # colons are not allowed in a token
    token = client_request_token(key)
    assert re.fullmatch(r"[-_a-zA-Z0-9]{2,64}", token)
    for _ in range(2):
        stubber.add_response(
            "create_meeting",
            {"Meeting": CHIME_MEETING},
            {
                "ClientRequestToken": token,
                "MediaRegion": "eu-west-2",
                "ExternalMeetingId": "booking-42",
            },
        )
        provider.meeting_create(external_id="booking-42", idempotency_key=key)
    assert client_request_token("room:43:open") != token
    assert len(client_request_token("x" * 200)) <= 64


@pytest.mark.parametrize(
    "external_id",
    ["jane@example.com", "Jane Doe", "aws:booking-42", "b", "booking-" + "9" * 60],
)
def test_personal_or_invalid_meeting_ids_never_reach_chime(provider, external_id):
    with pytest.raises(VideoError) as refused:
        provider.meeting_create(external_id=external_id, idempotency_key="room-42")
    assert refused.value.code == "InvalidExternalId"
    assert refused.value.retryable is False


def test_attendee_create_returns_what_the_browser_sdk_reads(provider, meetings):
    _client, stubber = meetings
    meeting = Meeting(
        meeting_id=MEETING_ID,
        external_id="booking-42",
        media_region="eu-west-2",
        join_info={"kind": "chime", "meeting": {"Meeting": CHIME_MEETING}},
    )
    attendee = {"ExternalUserId": "user-7", "AttendeeId": ATTENDEE_ID, "JoinToken": JOIN_TOKEN}
    stubber.add_response(
        "create_attendee",
        {"Attendee": attendee},
        {"MeetingId": MEETING_ID, "ExternalUserId": "user-7"},
    )
    join = provider.attendee_create(meeting=meeting, external_user_id="user-7")
    assert join.attendee_id == ATTENDEE_ID
    assert join.external_user_id == "user-7"
    assert join.join_token == JOIN_TOKEN
    assert join.join_info == {
        "kind": "chime",
        "meeting": {"Meeting": CHIME_MEETING},
        "attendee": {"Attendee": attendee},
    }
    assert JOIN_TOKEN not in repr(join)


def test_attendee_create_for_a_meeting_rebuilt_from_its_id_fetches_the_placement(
    provider, meetings
):
    _client, stubber = meetings
    stubber.add_response("get_meeting", {"Meeting": CHIME_MEETING}, {"MeetingId": MEETING_ID})
    stubber.add_response(
        "create_attendee",
        {
            "Attendee": {
                "ExternalUserId": "user-8",
                "AttendeeId": ATTENDEE_ID,
                "JoinToken": JOIN_TOKEN,
            }
        },
        {"MeetingId": MEETING_ID, "ExternalUserId": "user-8"},
    )
    rebuilt = Meeting(meeting_id=MEETING_ID, external_id="booking-42", media_region="eu-west-2")
    join = provider.attendee_create(meeting=rebuilt, external_user_id="user-8")
    assert join.join_info["meeting"]["Meeting"]["MediaPlacement"] == PLACEMENT


def test_an_email_is_never_sent_as_the_attendee(provider):
    meeting = Meeting(meeting_id=MEETING_ID, external_id="booking-42", media_region="eu-west-2")
    with pytest.raises(VideoError):
        provider.attendee_create(meeting=meeting, external_user_id="client@example.com")


def test_meeting_end_deletes_the_meeting_and_a_gone_one_is_fine(provider, meetings):
    _client, stubber = meetings
    stubber.add_response("delete_meeting", {}, {"MeetingId": MEETING_ID})
    stubber.add_client_error(
        "delete_meeting",
        "NotFoundException",
        "gone",
        404,
        expected_params={"MeetingId": MEETING_ID},
    )
    provider.meeting_end(meeting_id=MEETING_ID)
    provider.meeting_end(meeting_id=MEETING_ID)


ERRORS = [
    ("ThrottlingException", 429, True),
    ("ServiceUnavailableException", 503, True),
    ("ServiceFailureException", 500, True),
    ("BadRequestException", 400, False),
    ("ForbiddenException", 403, False),
    ("UnauthorizedException", 401, False),
    ("LimitExceededException", 400, False),
    ("ConflictException", 409, False),
]


@pytest.mark.parametrize(("code", "status", "retryable"), ERRORS)
def test_create_meeting_errors_are_mapped(provider, meetings, code, status, retryable):
    _client, stubber = meetings
    stubber.add_client_error("create_meeting", code, "refused", status)
    with pytest.raises(VideoError) as raised:
        provider.meeting_create(external_id="booking-42", idempotency_key="room-42")
    assert raised.value.code == code
    assert raised.value.retryable is retryable


@pytest.mark.parametrize(
    ("code", "status", "retryable"), [*ERRORS[:4], ("NotFoundException", 404, False)]
)
def test_create_attendee_errors_are_mapped(provider, meetings, code, status, retryable):
    _client, stubber = meetings
    stubber.add_client_error("create_attendee", code, "refused", status)
    meeting = provider._meeting(CHIME_MEETING)
    with pytest.raises(VideoError) as raised:
        provider.attendee_create(meeting=meeting, external_user_id="user-7")
    assert (raised.value.code, raised.value.retryable) == (code, retryable)


@pytest.mark.parametrize(("code", "status", "retryable"), ERRORS[:5])
def test_delete_meeting_errors_other_than_gone_are_mapped(
    provider, meetings, code, status, retryable
):
    _client, stubber = meetings
    stubber.add_client_error("delete_meeting", code, "refused", status)
    with pytest.raises(VideoError) as raised:
        provider.meeting_end(meeting_id=MEETING_ID)
    assert (raised.value.code, raised.value.retryable) == (code, retryable)


def test_an_unreachable_endpoint_is_retryable(provider, meetings, monkeypatch):
    client, _stubber = meetings

    def timeout(**kwargs):
        raise ConnectTimeoutError(endpoint_url="https://meetings-chime.us-east-1.amazonaws.com")

    monkeypatch.setattr(client, "create_meeting", timeout)
    with pytest.raises(VideoError) as raised:
        provider.meeting_create(external_id="booking-42", idempotency_key="room-42")
    assert raised.value.retryable is True


def test_recording_starts_a_capture_pipeline_into_the_bucket(provider, pipelines):
    _client, stubber = pipelines
    meeting = provider._meeting(CHIME_MEETING)
    expected = {
        "SourceType": "ChimeSdkMeeting",
        "SourceArn": MEETING_ARN,
        "SinkType": "S3Bucket",
        "SinkArn": "arn:aws:s3:::aeyia-recordings/rooms/42/recording-3",
        "ClientRequestToken": client_request_token("recording:rooms/42/recording-3"),
        "ChimeSdkMeetingConfiguration": {
            "ArtifactsConfiguration": {
                "Audio": {"MuxType": "AudioWithCompositedVideo"},
                "Video": {"State": "Disabled"},
                "Content": {"State": "Disabled"},
                "CompositedVideo": {
                    "Layout": "GridView",
                    "Resolution": "HD",
                    "GridViewConfiguration": {"ContentShareLayout": "PresenterOnly"},
                },
            }
        },
    }
    stubber.add_response(
        "create_media_capture_pipeline",
        {
            "MediaCapturePipeline": {
                "MediaPipelineId": PIPELINE_ID,
                "SourceType": "ChimeSdkMeeting",
                "SourceArn": MEETING_ARN,
                "Status": "Initializing",
                "SinkType": "S3Bucket",
                "SinkArn": expected["SinkArn"],
            }
        },
        expected,
    )
    handle = provider.recording_start(meeting=meeting, destination_key="rooms/42/recording-3/")
    assert handle == RecordingHandle(
        pipeline_id=PIPELINE_ID, destination_key="rooms/42/recording-3"
    )


def test_recording_a_rebuilt_meeting_looks_up_its_arn(provider, meetings, pipelines):
    meetings[1].add_response("get_meeting", {"Meeting": CHIME_MEETING}, {"MeetingId": MEETING_ID})
    pipelines[1].add_response(
        "create_media_capture_pipeline",
        {"MediaCapturePipeline": {"MediaPipelineId": PIPELINE_ID}},
        {
            "SourceType": "ChimeSdkMeeting",
            "SourceArn": MEETING_ARN,
            "SinkType": "S3Bucket",
            "SinkArn": "arn:aws:s3:::aeyia-recordings/rooms/42",
            "ClientRequestToken": client_request_token("recording:rooms/42"),
            "ChimeSdkMeetingConfiguration": ANY,
        },
    )
    rebuilt = Meeting(meeting_id=MEETING_ID, external_id="booking-42", media_region="eu-west-2")
    assert (
        provider.recording_start(meeting=rebuilt, destination_key="rooms/42").pipeline_id
        == PIPELINE_ID
    )


def test_recording_needs_a_bucket(provider, settings):
    settings.CHIME_RECORDING_BUCKET = ""
    with pytest.raises(VideoError):
        provider.recording_start(meeting=provider._meeting(CHIME_MEETING), destination_key="k")


@pytest.mark.parametrize(
    ("code", "status", "retryable"),
    [("ThrottledClientException", 429, True), ("ServiceUnavailableException", 503, True),
     ("ServiceFailureException", 500, True), ("BadRequestException", 400, False),
     ("ResourceLimitExceededException", 400, False), ("ForbiddenException", 403, False)],
)  # fmt: skip
def test_recording_errors_are_mapped(provider, pipelines, code, status, retryable):
    pipelines[1].add_client_error("create_media_capture_pipeline", code, "refused", status)
    with pytest.raises(VideoError) as raised:
        provider.recording_start(meeting=provider._meeting(CHIME_MEETING), destination_key="k")
    assert (raised.value.code, raised.value.retryable) == (code, retryable)


def test_recording_stop_deletes_the_pipeline_and_a_gone_one_is_fine(provider, pipelines):
    _client, stubber = pipelines
    stubber.add_response("delete_media_capture_pipeline", {}, {"MediaPipelineId": PIPELINE_ID})
    stubber.add_client_error("delete_media_capture_pipeline", "NotFoundException", "gone", 404)
    stubber.add_client_error(
        "delete_media_capture_pipeline", "ThrottledClientException", "slow", 429
    )
    handle = RecordingHandle(pipeline_id=PIPELINE_ID, destination_key="rooms/42")
    provider.recording_stop(handle=handle)
    provider.recording_stop(handle=handle)
    with pytest.raises(VideoError) as raised:
        provider.recording_stop(handle=handle)
    assert raised.value.retryable is True


def test_clients_have_timeouts_and_bounded_retries(settings):
    settings.VIDEO_TIMEOUT_SECONDS = 4
    settings.VIDEO_MAX_ATTEMPTS = 2
    provider = ChimeVideoProvider()
    for client in (provider._meetings, provider._pipelines):
        config = client.meta.config
        assert (config.connect_timeout, config.read_timeout) == (4, 4)
        assert config.retries == {"mode": "standard", "total_max_attempts": 2}
        assert client.meta.region_name == "us-east-1"
    assert provider._meetings.meta.service_model.service_name == "chime-sdk-meetings"


def test_factory_builds_the_chime_adapter_and_rebuilds_on_a_settings_change(settings):
    settings.VIDEO_PROVIDER = "integrations.video.live.ChimeVideoProvider"
    first = get_video_provider()
    assert first.name == "chime"
    assert get_video_provider() is first
    settings.AWS_CHIME_REGION = "eu-central-1"
    assert get_video_provider() is not first


def test_a_request_the_model_rejects_is_not_retried(provider, meetings, monkeypatch):
    client, _stubber = meetings

    def invalid(**kwargs):
        raise ParamValidationError(report="Invalid type for parameter MeetingId")

    monkeypatch.setattr(client, "delete_meeting", invalid)
    with pytest.raises(VideoError) as raised:
        provider.meeting_end(meeting_id=MEETING_ID)
    assert (raised.value.code, raised.value.retryable) == ("InvalidParameter", False)


def test_recording_refuses_a_meeting_chime_gives_no_arn_for(provider, meetings):
    meeting_without_arn = {
        key: value for key, value in CHIME_MEETING.items() if key != "MeetingArn"
    }
    meetings[1].add_response("get_meeting", {"Meeting": meeting_without_arn})
    rebuilt = Meeting(meeting_id=MEETING_ID, external_id="booking-42", media_region="eu-west-2")
    with pytest.raises(VideoError) as raised:
        provider.recording_start(meeting=rebuilt, destination_key="rooms/42")
    assert raised.value.code == "NoArn"
