import pytest

from integrations.video import get_video_provider, local
from integrations.video.local import LocalVideoCall, LocalVideoProvider
from integrations.video.types import Meeting, RecordingHandle, VideoError


def test_meeting_ids_are_deterministic_per_external_id():
    first = LocalVideoProvider().meeting_create(external_id="booking-7", idempotency_key="room-1")
    again = LocalVideoProvider().meeting_create(external_id="booking-7", idempotency_key="room-1")
    other = LocalVideoProvider().meeting_create(external_id="booking-8", idempotency_key="room-2")
    assert first == again
    assert first.meeting_id != other.meeting_id
    assert first.external_id == "booking-7"
    assert first.dial_in == ""
    assert first.join_info["kind"] == "p2p"


def test_every_call_is_recorded_in_order():
    provider = LocalVideoProvider()
    meeting = provider.meeting_create(external_id="booking-7", idempotency_key="room-1")
    provider.attendee_create(meeting=meeting, external_user_id="user-3")
    provider.recording_start(meeting=meeting, destination_key="rooms/7/rec.webm")
    provider.meeting_end(meeting_id=meeting.meeting_id)
    assert [call.operation for call in LocalVideoProvider.calls] == [
        "meeting_create",
        "attendee_create",
        "recording_start",
        "meeting_end",
    ]
    assert LocalVideoProvider.calls[0] == LocalVideoCall(
        operation="meeting_create",
        params={"external_id": "booking-7", "idempotency_key": "room-1"},
    )
    LocalVideoProvider.reset()
    assert list(LocalVideoProvider.calls) == []


def test_the_same_person_gets_the_same_attendee_and_a_third_is_refused():
    provider = LocalVideoProvider()
    meeting = provider.meeting_create(external_id="booking-7", idempotency_key="room-1")
    client = provider.attendee_create(meeting=meeting, external_user_id="user-3")
    practitioner = provider.attendee_create(meeting=meeting, external_user_id="user-4")
    assert provider.attendee_create(meeting=meeting, external_user_id="user-3") == client
    assert client.attendee_id != practitioner.attendee_id
    assert provider.max_participants == 2
    with pytest.raises(VideoError) as refused:
        provider.attendee_create(meeting=meeting, external_user_id="user-5")
    assert "two" in str(refused.value)
    assert refused.value.retryable is False


def test_a_meeting_rebuilt_from_its_stored_id_admits_people():
    provider = LocalVideoProvider()
    created = provider.meeting_create(external_id="booking-7", idempotency_key="room-1")
    rebuilt = Meeting(meeting_id=created.meeting_id, external_id="booking-7", media_region="")
    join = provider.attendee_create(meeting=rebuilt, external_user_id="user-3")
    assert join.external_user_id == "user-3"
    assert join.join_info["kind"] == "p2p"


def test_an_ended_meeting_admits_nobody_until_opened_again():
    provider = LocalVideoProvider()
    meeting = provider.meeting_create(external_id="booking-7", idempotency_key="room-1")
    provider.meeting_end(meeting_id=meeting.meeting_id)
    with pytest.raises(VideoError):
        provider.attendee_create(meeting=meeting, external_user_id="user-3")
    reopened = provider.meeting_create(external_id="booking-7", idempotency_key="room-1")
    assert provider.attendee_create(meeting=reopened, external_user_id="user-3")


def test_the_browser_records_and_stop_is_accepted():
    provider = LocalVideoProvider()
    meeting = provider.meeting_create(external_id="booking-7", idempotency_key="room-1")
    assert provider.recording_start(meeting=meeting, destination_key="rooms/7/a.webm") is None
    provider.recording_stop(handle=RecordingHandle(pipeline_id="p", destination_key="k"))
    assert LocalVideoProvider.calls[-1].operation == "recording_stop"


def test_join_info_carries_turn_credentials_for_this_person(settings):
    settings.STUN_URLS = ["stun:turn.example.test:3478"]
    settings.TURN_URLS = ["turn:turn.example.test:3478?transport=udp"]
    settings.TURN_SECRET = "shared-secret"
    provider = LocalVideoProvider()
    meeting = provider.meeting_create(external_id="booking-7", idempotency_key="room-1")
    servers = provider.attendee_create(meeting=meeting, external_user_id="user-3").join_info[
        "ice_servers"
    ]
    assert servers[0] == {"urls": ["stun:turn.example.test:3478"]}
    assert servers[1]["urls"] == ["turn:turn.example.test:3478?transport=udp"]
    assert servers[1]["username"].endswith(":user-3")


def test_the_join_token_is_kept_out_of_repr():
    provider = LocalVideoProvider()
    meeting = provider.meeting_create(external_id="booking-7", idempotency_key="room-1")
    join = provider.attendee_create(meeting=meeting, external_user_id="user-3")
    assert join.join_token not in repr(join)


def test_factory_follows_the_setting(settings):
    settings.VIDEO_PROVIDER = "integrations.video.local.LocalVideoProvider"
    provider = get_video_provider()
    assert isinstance(provider, LocalVideoProvider)
    assert get_video_provider() is provider
    # Any adapter setting changing forgets the built one (the live adapter's test covers
    # switching to Chime).
    settings.TURN_TTL = 60
    assert get_video_provider() is provider
    settings.VIDEO_TIMEOUT_SECONDS = 9
    assert get_video_provider() is not provider


def test_what_the_adapter_remembers_is_bounded(monkeypatch):
    monkeypatch.setattr(local, "MAX_TRACKED_MEETINGS", 3)
    provider = LocalVideoProvider()
    meetings = [
        provider.meeting_create(external_id=f"booking-{n}", idempotency_key=f"room-{n}")
        for n in range(5)
    ]
    for meeting in meetings:
        provider.attendee_create(meeting=meeting, external_user_id="user-1")
        provider.meeting_end(meeting_id=meeting.meeting_id)
    assert len(LocalVideoProvider._attendees) <= 3
    assert len(LocalVideoProvider._ended) == 3
    assert LocalVideoProvider.calls.maxlen == local.MAX_RECORDED_CALLS
