"""Room services: the meeting opened once per booking, the join configuration, the
waiting room, delivered by phone, files into the care record, chat, the recording
consent state machine and the encrypted recording, attendance, closing due rooms and the
privacy registrations."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from commerce.bookings.models import Booking
from commerce.rooms import registrations, services
from commerce.rooms.errors import RoomStateConflict
from commerce.rooms.models import ChatMessage, JoinToken, Recording, Room, RoomEvent
from commerce.rooms.selectors import attendance_for, room_for_participant
from integrations.video.local import LocalVideoProvider
from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.records.models import CareRecord
from privacy.registry import ErasureSubject
from tests.commerce.rooms.room_setup import room_booking
from tests.marketplace.clients.documents import samples

pytestmark = pytest.mark.django_db

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 300


def _access(booking, side="client"):
    user = booking.client if side == "client" else booking.practitioner.user
    return room_for_participant(user=user, booking_id=booking.pk)


def _joined(booking, side="client"):
    access = _access(booking, side)
    token = services.join_token_issue(user=access.user, booking=booking)
    services.room_join(access=access, token=str(token.token))
    return access


def _operations(name):
    return [call for call in LocalVideoProvider.calls if call.operation == name]


def test_the_meeting_is_created_once_per_booking_with_a_key_from_the_booking():
    booking = room_booking()
    first = services.room_open(booking=booking)
    second = services.room_open(booking=booking)
    assert first.pk == second.pk and first.meeting_id == second.meeting_id
    creates = _operations("meeting_create")
    assert len(creates) == 1
    assert creates[0].params == {
        "external_id": f"booking-{booking.pk}",
        "idempotency_key": f"aeyia-room-booking-{booking.pk}",
    }
    assert first.provider == "local" and first.join_info["kind"] == "p2p"


def test_the_join_configuration_has_what_the_page_needs(settings):
    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = "s3cret"
    booking = room_booking()
    access = _access(booking, "practitioner")
    token = services.join_token_issue(user=access.user, booking=booking)
    config = services.room_join_config(access=access, token=token)
    assert config["provider"] == "local"
    assert config["role"] == "practitioner"
    assert config["token"] == str(token.token)
    assert config["ws_url"] == f"/ws/rooms/{booking.pk}/?token={token.token}"
    assert config["ends_at"] == booking.ends_at.isoformat()
    assert config["admitted"] is True
    turn = [server for server in config["ice_servers"] if "username" in server]
    assert turn and turn[0]["username"].endswith(f":user-{access.user.pk}")
    assert config["join_info"]["attendee"]["external_user_id"] == f"user-{access.user.pk}"
    assert config["fallback_phone"] == ""


def test_the_client_waits_until_the_practitioner_admits_them():
    booking = room_booking()
    client = _access(booking, "client")
    token = services.join_token_issue(user=client.user, booking=booking)
    assert services.room_join_config(access=client, token=token)["admitted"] is False
    with pytest.raises(services.PractitionerOnly):
        services.room_admit(practitioner=booking.client, booking=booking)
    room = services.room_admit(practitioner=booking.practitioner.user, booking=booking)
    assert room.admitted_at is not None
    services.room_admit(practitioner=booking.practitioner.user, booking=booking)
    assert RoomEvent.objects.filter(booking=booking, kind="admitted").count() == 1
    token = services.join_token_issue(user=client.user, booking=booking)
    assert services.room_join(access=client, token=str(token.token))["admitted"] is True


def test_the_fallback_phone_is_the_practitioners_to_set_and_must_be_a_phone_number():
    booking = room_booking()
    with pytest.raises(services.PractitionerOnly):
        services.room_fallback_phone_set(
            practitioner=booking.client, booking=booking, phone_number="+447700900123"
        )
    with pytest.raises(ValidationError):
        services.room_fallback_phone_set(
            practitioner=booking.practitioner.user, booking=booking, phone_number="call me"
        )
    room = services.room_fallback_phone_set(
        practitioner=booking.practitioner.user, booking=booking, phone_number="+44 7700 900123"
    )
    assert room.fallback_phone == "+447700900123"
    access = _access(booking)
    token = services.join_token_issue(user=booking.client, booking=booking)
    assert (
        services.room_join_config(access=access, token=token)["fallback_phone"] == "+447700900123"
    )


def test_delivered_by_phone_completes_the_started_session_and_ends_the_room():
    booking = room_booking(starts_in=dt.timedelta(minutes=-5))
    services.room_open(booking=booking)
    with pytest.raises(services.PractitionerOnly):
        services.room_mark_delivered_by_phone(practitioner=booking.client, booking=booking)
    done = services.room_mark_delivered_by_phone(
        practitioner=booking.practitioner.user, booking=booking
    )
    assert done.status == Booking.Status.COMPLETED and done.completed_at is not None
    room = Room.objects.get(booking=booking)
    assert room.state == Room.State.ENDED and room.delivered_by_phone_at is not None
    again = services.room_mark_delivered_by_phone(
        practitioner=booking.practitioner.user, booking=booking
    )
    assert again.completed_at == done.completed_at
    assert RoomEvent.objects.filter(booking=booking, kind="delivered_by_phone").count() == 1


def test_delivered_by_phone_waits_for_the_start():
    booking = room_booking(starts_in=dt.timedelta(minutes=5))
    with pytest.raises(RoomStateConflict) as caught:
        services.room_mark_delivered_by_phone(
            practitioner=booking.practitioner.user, booking=booking
        )
    assert caught.value.api_code == "not_started"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_file_needs_the_senders_consent_and_lands_in_the_care_record():
    booking = room_booking()
    client = _joined(booking, "client")
    practitioner = _joined(booking, "practitioner")
    upload = SimpleUploadedFile("letter.pdf", samples.PDF, content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.room_file_share(access=client, upload=upload, consent=False)
    assert not ClientDocument.objects.exists()
    document = services.room_file_share(access=client, upload=upload, consent=True)
    record = CareRecord.objects.get(client=booking.client, practitioner=booking.practitioner)
    assert document.record == record
    assert document.visibility == ClientDocument.Visibility.SHARED_WITH_PRACTITIONER
    sheet = SimpleUploadedFile("plan.pdf", samples.PDF, content_type="application/pdf")
    shared = services.room_file_share(access=practitioner, upload=sheet, consent=True)
    assert shared.visibility == ClientDocument.Visibility.SHARED_WITH_CLIENT
    assert RoomEvent.objects.filter(booking=booking, kind="file_shared").count() == 2


def test_a_refused_file_type_stores_nothing():
    booking = room_booking()
    client = _joined(booking)
    upload = SimpleUploadedFile("run.pdf", samples.EXE, content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.room_file_share(access=client, upload=upload, consent=True)
    assert not ClientDocument.objects.exists()
    assert not RoomEvent.objects.filter(kind="file_shared").exists()


def test_chat_is_kept_encrypted_and_checked():
    booking = room_booking()
    client = _joined(booking)
    frame = services.chat_message_send(access=client, text="  Can you hear me?  ")
    assert (frame["from"], frame["text"]) == ("client", "Can you hear me?")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM rooms_chatmessage")
        (stored,) = cursor.fetchone()
    assert "hear me" not in stored
    assert ChatMessage.objects.get().body == "Can you hear me?"
    for text in ("", "   ", None, 42, "x" * 2001):
        with pytest.raises(ValidationError):
            services.chat_message_send(access=client, text=text)


def test_recording_starts_only_when_both_consent_and_either_can_stop_it():
    booking = room_booking()
    client = _joined(booking, "client")
    practitioner = _joined(booking, "practitioner")
    frame = services.recording_consent(access=client, consent=True)
    assert frame == {
        "type": "recording",
        "state": "consent_needed",
        "consented": {"client": True, "practitioner": False},
    }
    with pytest.raises(RoomStateConflict) as caught:
        services.recording_start(access=client)
    assert caught.value.api_code == "consent_needed"
    services.recording_consent(access=practitioner, consent=True)
    assert services.recording_start(access=practitioner)["state"] == "recording"
    assert (
        _operations("recording_start")[0]
        .params["destination_key"]
        .startswith(f"rooms/booking-{booking.pk}/")
    )
    # Taking consent back stops it at once; a new recording needs both consents again.
    assert services.recording_consent(access=client, consent=False)["state"] == "stopped"
    first = Recording.objects.get()
    assert first.stopped_at is not None and first.started_at is not None
    services.recording_consent(access=practitioner, consent=True)
    with pytest.raises(RoomStateConflict):
        services.recording_start(access=practitioner)
    services.recording_consent(access=client, consent=True)
    services.recording_start(access=client)
    assert services.recording_stop(access=practitioner)["state"] == "stopped"
    kinds = list(
        RoomEvent.objects.filter(booking=booking, kind__startswith="recording").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["recording_started", "recording_stopped"] * 2


def test_a_participant_leaving_stops_a_running_recording():
    booking = room_booking()
    client = _joined(booking, "client")
    practitioner = _joined(booking, "practitioner")
    services.recording_consent(access=client, consent=True)
    services.recording_consent(access=practitioner, consent=True)
    services.recording_start(access=client)
    services.room_leave(access=practitioner)
    assert Recording.objects.get().stopped_at is not None


def test_the_browser_recording_is_stored_encrypted_only_when_both_consented(private_root):
    booking = room_booking()
    client = _joined(booking, "client")
    practitioner = _joined(booking, "practitioner")
    with pytest.raises(RoomStateConflict):
        services.recording_store(access=practitioner, upload=io.BytesIO(WEBM))
    services.recording_consent(access=client, consent=True)
    services.recording_consent(access=practitioner, consent=True)
    with pytest.raises(RoomStateConflict):  # consented but never started
        services.recording_store(access=practitioner, upload=io.BytesIO(WEBM))
    services.recording_start(access=practitioner)
    services.recording_stop(access=practitioner)
    with pytest.raises(ValidationError):
        services.recording_store(access=practitioner, upload=io.BytesIO(samples.PDF))
    recording = services.recording_store(access=practitioner, upload=io.BytesIO(WEBM))
    assert recording.content_type == "video/webm" and recording.size == len(WEBM)
    stored = (private_root / recording.storage_name).read_bytes()
    assert WEBM[:4096] not in stored
    assert b"".join(services.recording_chunks(recording)) == WEBM
    with pytest.raises(RoomStateConflict):
        services.recording_store(access=client, upload=io.BytesIO(WEBM))
    assert len(list((private_root / "room-recordings").iterdir())) == 1


def test_attendance_in_two_queries_for_many_bookings(django_assert_num_queries):
    bookings = [room_booking(starts_in=dt.timedelta(minutes=-30)) for _ in range(3)]
    first, second, _third = bookings
    start = first.starts_at
    for user, kind, minutes in (
        (first.client, "joined", 0),
        (first.practitioner.user, "joined", 1),
        (first.client, "left", 10),
        (first.client, "joined", 12),
        (first.client, "left", 20),
    ):
        RoomEvent.objects.create(
            booking=first, user=user, kind=kind, at=start + dt.timedelta(minutes=minutes)
        )
    RoomEvent.objects.create(booking=second, user=second.practitioner.user, kind="joined", at=start)
    loaded = list(
        Booking.objects.filter(pk__in=[b.pk for b in bookings]).select_related("practitioner")
    )
    now = start + dt.timedelta(minutes=25)
    with django_assert_num_queries(2):
        attendance = attendance_for(loaded, now=now)
    assert attendance[first.pk].client_minutes == 18
    assert attendance[first.pk].practitioner_minutes == 24
    assert attendance[second.pk].client_joined is False
    assert attendance[second.pk].practitioner_minutes == 25
    assert not attendance[_third.pk].client_joined and not attendance[_third.pk].practitioner_joined
    assert attendance_for([]) == {}


def test_rooms_close_when_their_window_has_passed():
    ended = room_booking(starts_in=dt.timedelta(minutes=-66), minutes=50)
    running = room_booking()
    for booking in (ended, running):
        services.room_open(booking=booking)
    past = Room.objects.get(booking=ended)
    recording = Recording.objects.create(
        room=past,
        consent_client_at=timezone.now(),
        consent_practitioner_at=timezone.now(),
        started_at=timezone.now(),
    )
    assert services.rooms_close_due() == 1
    past.refresh_from_db()
    assert past.state == Room.State.ENDED and past.ended_at is not None
    assert Room.objects.get(booking=running).state == Room.State.OPEN
    recording.refresh_from_db()
    assert recording.stopped_at is not None
    assert [call.params["meeting_id"] for call in _operations("meeting_end")] == [past.meeting_id]
    assert services.rooms_close_due() == 0


def test_erasure_export_and_retention_cover_the_rooms_rows():
    booking = room_booking(starts_in=dt.timedelta(minutes=-5))
    client = _joined(booking)
    services.chat_message_send(access=client, text="hello")
    services.room_fallback_record(access=client, reason="camera blocked")
    items = dict(registrations.rooms_export(booking.client))
    assert b"hello" in items["rooms/chat.json"]
    assert b"joined" in items["rooms/events.json"]
    # Retention: nothing is due while the session is recent.
    assert registrations.rooms_retention_purge(cutoff=timezone.now() - dt.timedelta(days=1)) == 0
    assert (
        registrations.rooms_retention_purge(
            cutoff=timezone.now() + dt.timedelta(days=1), dry_run=True
        )
        == 1
    )
    erased = registrations.rooms_erase(
        ErasureSubject(email=booking.client.email, user=booking.client)
    )
    assert erased >= 3
    assert not JoinToken.objects.filter(user=booking.client).exists()
    assert not ChatMessage.objects.exists()
    assert not RoomEvent.objects.exclude(detail={}).filter(user=booking.client).exists()


class UnreachableVideo:
    """A provider whose API cannot be reached (the live adapter's VideoError path)."""

    name = "unreachable"
    max_participants = 2

    def meeting_create(self, *, external_id, idempotency_key):
        from integrations.video.types import VideoError

        raise VideoError("ServiceUnavailable", retryable=True, code="ServiceUnavailable")


def test_a_provider_outage_is_a_clear_503_and_the_room_can_retry(settings):
    settings.VIDEO_PROVIDER = "tests.commerce.rooms.test_services.UnreachableVideo"
    booking = room_booking()
    access = _access(booking)
    token = services.join_token_issue(user=booking.client, booking=booking)
    with pytest.raises(services.VideoUnavailable) as caught:
        services.room_join_config(access=access, token=token)
    assert (caught.value.api_status, caught.value.api_code) == (503, "video_unavailable")
    assert not Room.objects.filter(meeting_id__gt="").exists()


def test_the_beat_task_closes_due_rooms_once():
    from commerce.rooms.tasks import close_due_rooms

    booking = room_booking(starts_in=dt.timedelta(minutes=-66), minutes=50)
    services.room_open(booking=booking)
    assert close_due_rooms() == 1
    assert close_due_rooms() == 0


def test_a_reconnect_that_overlaps_the_old_socket_counts_once():
    booking = room_booking(starts_in=dt.timedelta(minutes=-30))
    start = booking.starts_at
    client = booking.client
    for kind, minutes in (("joined", 0), ("joined", 5), ("left", 6), ("left", 10)):
        RoomEvent.objects.create(
            booking=booking, user=client, kind=kind, at=start + dt.timedelta(minutes=minutes)
        )
    loaded = Booking.objects.select_related("practitioner").get(pk=booking.pk)
    attendance = attendance_for([loaded], now=start + dt.timedelta(minutes=25))[booking.pk]
    assert (attendance.client_joined, attendance.client_minutes) == (True, 10)
    assert attendance.first_joined_at == start
