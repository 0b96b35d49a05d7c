"""The session room's pages and endpoints (commerce/rooms/views.py): who may see the room
(404 for everyone but the booking's two participants), what it says before and after its
window, the join token's JSON and its refusals, files (consent required) and the
browser-made recording (both consents required), delivered by phone, and the Join links
and attendance on the booking pages and the practice dashboard."""

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.services import role_grant
from commerce.bookings.models import Booking
from commerce.rooms import services as room_services
from commerce.rooms.models import JoinToken, Recording, Room, RoomEvent
from commerce.rooms.selectors import room_for_participant
from filestore import private_storage_reset
from marketplace.clients.documents.models import ClientDocument
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.clients.documents import samples
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

pytestmark = pytest.mark.django_db

# A minimal WebM header (EBML magic): what MediaRecorder writes first.
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 60


def make_room_booking(
    *,
    starts_in: dt.timedelta = dt.timedelta(minutes=5),
    is_online: bool = True,
    status: str = Booking.Status.CONFIRMED,
    minutes: int = 50,
) -> Booking:
    practitioner = PractitionerProfileFactory(
        time_zone="Europe/London", display_name="Nadia Haddad"
    )
    role_grant(user=practitioner.user, role=Role.PRACTITIONER)
    enrol_totp(practitioner.user)
    service = ServiceFactory(
        practitioner=practitioner,
        name="Talking therapy",
        duration_minutes=minutes,
        is_online=is_online,
        location="" if is_online else "1 High Street",
    )
    client = UserFactory(first_name="Jane", last_name="Doe", roles=["client"])
    starts_at = timezone.now().replace(microsecond=0) + starts_in
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    return Booking.objects.create(
        client=client,
        service=service,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_start=starts_at,
        blocked_end=ends_at,
        status=status,
        hold_expires_at=starts_at if status == Booking.Status.HELD else None,
        pay_with=Booking.PayWith.CARD,
        price_amount=service.price,
        price_currency=service.currency,
        confirmed_at=None if status == Booking.Status.HELD else starts_at - dt.timedelta(days=2),
    )


@pytest.fixture
def booking():
    return make_room_booking()


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    private_storage_reset()
    yield
    private_storage_reset()


def room_url(name: str, booking: Booking) -> str:
    return reverse(name, args=[booking.pk])


def as_user(client, user):
    client.force_login(user)
    return client


# ---------- who may enter: the 404 matrix ----------


def strangers(booking: Booking) -> dict:
    staff = UserFactory(is_staff=True, is_superuser=True)
    other_practitioner = PractitionerProfileFactory()
    role_grant(user=other_practitioner.user, role=Role.PRACTITIONER)
    enrol_totp(other_practitioner.user)
    other = make_room_booking()
    return {
        "stranger": UserFactory(),
        "staff": staff,
        "other practitioner": other_practitioner.user,
        "another booking's client": other.client,
    }


@pytest.mark.parametrize(
    "who", ["stranger", "staff", "other practitioner", "another booking's client"]
)
def test_anyone_but_the_two_participants_gets_404_everywhere(client, booking, who):
    user = strangers(booking)[who]
    as_user(client, user)
    assert client.get(room_url("room", booking)).status_code == 404
    for name in ("room-token", "room-files", "room-recording"):
        response = client.post(room_url(name, booking))
        assert response.status_code == 404, name
        assert response.json()["code"] == "not_found"
    assert not JoinToken.objects.exists()


def test_in_person_held_and_cancelled_bookings_have_no_room(client):
    for booking in (
        make_room_booking(is_online=False),
        make_room_booking(status=Booking.Status.HELD),
        make_room_booking(status=Booking.Status.CANCELLED),
    ):
        as_user(client, booking.client)
        assert client.get(room_url("room", booking)).status_code == 404
        assert client.post(room_url("room-token", booking)).status_code == 404


def test_unknown_and_huge_booking_ids_are_404_not_500(client, booking):
    as_user(client, booking.client)
    assert client.get("/account/bookings/999999999/room/").status_code == 404
    assert client.get(f"/account/bookings/{2**70}/room/").status_code == 404
    assert client.post(f"/account/bookings/{2**70}/room/token/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in_and_the_json_says_401(client, booking):
    response = client.get(room_url("room", booking))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    response = client.post(room_url("room-token", booking))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_endpoints_take_post_only(client, booking):
    as_user(client, booking.client)
    for name in ("room-token", "room-files", "room-recording"):
        assert client.get(room_url(name, booking)).status_code == 405
    assert client.post(room_url("room", booking)).status_code == 405


# ---------- the page before, during and after the window ----------


def test_both_participants_see_the_pre_join_page_while_the_room_is_open(client, booking):
    for user, other_name, role in (
        (booking.client, "Nadia Haddad", "client"),
        (booking.practitioner.user, "Jane Doe", "practitioner"),
    ):
        as_user(client, user)
        response = client.get(room_url("room", booking))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-state="open"' in html
        assert f'data-role="{role}"' in html
        assert f"with {other_name}" in html
        assert "Check your camera and microphone" in html
        assert reverse("room-token", args=[booking.pk]) in html
        assert ("Admit Jane Doe" in html) is (role == "practitioner")
        assert ("Mark delivered by phone" in html) is (role == "practitioner")


def test_the_page_names_its_websocket_origin_in_its_content_security_policy(client, booking):
    as_user(client, booking.client)
    response = client.get(room_url("room", booking))
    policy = response["Content-Security-Policy"]
    connect = next(part for part in policy.split(";") if part.strip().startswith("connect-src"))
    assert "'self'" in connect
    assert "ws://testserver" in connect
    assert "'unsafe-inline'" not in policy
    # Other pages keep the strict policy without the socket's origin.
    other = client.get(reverse("account-bookings"))
    assert "ws://testserver" not in other["Content-Security-Policy"]


def test_before_the_window_the_page_says_when_it_opens_in_the_viewers_zone(client, settings):
    booking = make_room_booking(starts_in=dt.timedelta(hours=3))
    booking.client.time_zone = "America/New_York"
    booking.client.save(update_fields=["time_zone"])
    as_user(client, booking.client)
    html = client.get(room_url("room", booking)).content.decode()
    assert 'data-state="early"' in html
    assert "The room is not open yet" in html
    opens = booking.starts_at - dt.timedelta(minutes=settings.ROOM_OPENS_MINUTES)
    local = opens.astimezone(ZoneInfo("America/New_York"))
    assert f">{local:%H:%M}</time>" in html
    assert "America/New_York" in html
    assert "Join the session" not in html


def test_after_the_window_the_page_says_the_session_has_ended(client):
    booking = make_room_booking(starts_in=dt.timedelta(hours=-3))
    as_user(client, booking.client)
    html = client.get(room_url("room", booking)).content.decode()
    assert 'data-state="ended"' in html
    assert "This session has ended" in html
    assert "Join the session" not in html


def test_a_practitioner_without_a_second_factor_is_sent_to_enrol(client):
    booking = make_room_booking()
    practitioner_user = booking.practitioner.user
    practitioner_user.authenticator_set.all().delete()
    as_user(client, practitioner_user)
    response = client.get(room_url("room", booking))
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") in response["Location"]


# ---------- the join token ----------


def test_the_token_endpoint_issues_a_single_use_token_and_the_page_config(client, booking):
    as_user(client, booking.client)
    response = client.post(room_url("room-token", booking))
    assert response.status_code == 200
    body = response.json()
    token = JoinToken.objects.get()
    assert body["token"] == str(token.token)
    assert token.user == booking.client and token.booking == booking
    config = body["config"]
    assert config["provider"] == "local"
    assert config["role"] == "client"
    assert config["ws_url"].startswith(f"/ws/rooms/{booking.pk}/")
    assert str(token.token) in config["ws_url"]
    assert config["ends_at"] == booking.ends_at.isoformat()
    assert isinstance(config["ice_servers"], list)
    # A second press is a second token: each socket spends its own.
    second = client.post(room_url("room-token", booking)).json()
    assert second["token"] != body["token"]


def test_before_the_window_the_token_endpoint_answers_409_room_not_open(client):
    booking = make_room_booking(starts_in=dt.timedelta(minutes=30))
    as_user(client, booking.client)
    response = client.post(room_url("room-token", booking))
    assert response.status_code == 409
    assert response.json()["code"] == "room_not_open"
    assert not JoinToken.objects.exists()


def test_after_the_window_the_token_endpoint_answers_410_room_closed(client, settings):
    booking = make_room_booking(
        starts_in=dt.timedelta(minutes=-(50 + settings.ROOM_GRACE_MINUTES + 1))
    )
    as_user(client, booking.practitioner.user)
    response = client.post(room_url("room-token", booking))
    assert response.status_code == 410
    assert response.json()["code"] == "room_closed"
    assert not JoinToken.objects.exists()


def test_within_the_grace_period_after_the_end_the_room_is_still_open(client):
    booking = make_room_booking(starts_in=dt.timedelta(minutes=-55))
    as_user(client, booking.client)
    assert client.post(room_url("room-token", booking)).status_code == 200


def test_a_session_delivered_by_phone_closes_the_room_to_new_tokens(client):
    booking = make_room_booking(starts_in=dt.timedelta(minutes=-1))
    room_services.room_mark_delivered_by_phone(
        practitioner=booking.practitioner.user, booking=booking
    )
    as_user(client, booking.client)
    response = client.post(room_url("room-token", booking))
    assert response.status_code == 410
    assert response.json()["code"] == "room_closed"


# ---------- files ----------


def test_a_file_needs_the_consent_box(client, booking, private_media):
    as_user(client, booking.client)
    upload = io.BytesIO(samples.PDF)
    upload.name = "notes.pdf"
    response = client.post(room_url("room-files", booking), {"file": upload})
    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert not ClientDocument.objects.exists()


def test_a_missing_file_is_400(client, booking):
    as_user(client, booking.client)
    response = client.post(room_url("room-files", booking), {"consent": "yes"})
    assert response.status_code == 400
    assert response.json()["code"] == "file_required"


def test_a_file_sent_with_consent_lands_in_the_care_record(client, booking, private_media):
    as_user(client, booking.client)
    upload = io.BytesIO(samples.PDF)
    upload.name = "sleep diary.pdf"
    response = client.post(room_url("room-files", booking), {"file": upload, "consent": "yes"})
    assert response.status_code == 201, response.content
    document = ClientDocument.objects.get()
    assert response.json() == {"id": document.pk, "name": document.original_filename}
    assert document.uploaded_by == booking.client
    assert document.record.client == booking.client
    assert RoomEvent.objects.filter(booking=booking, kind=RoomEvent.Kind.FILE_SHARED).exists()


def test_a_refused_file_type_is_a_400_with_the_reason(client, booking, private_media):
    as_user(client, booking.client)
    upload = io.BytesIO(samples.EXE)
    upload.name = "tool.exe"
    response = client.post(room_url("room-files", booking), {"file": upload, "consent": "yes"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_refused"
    assert body["detail"]
    assert not ClientDocument.objects.exists()


def test_no_file_can_be_sent_before_the_room_opens(client, private_media):
    booking = make_room_booking(starts_in=dt.timedelta(hours=2))
    as_user(client, booking.client)
    upload = io.BytesIO(samples.PDF)
    upload.name = "notes.pdf"
    response = client.post(room_url("room-files", booking), {"file": upload, "consent": "yes"})
    assert response.status_code == 409
    assert response.json()["code"] == "room_not_open"


# ---------- the browser-made recording ----------


def consent(booking: Booking, *roles: str) -> None:
    for role in roles:
        user = booking.client if role == "client" else booking.practitioner.user
        access = room_for_participant(user=user, booking_id=booking.pk)
        room_services.recording_consent(access=access, consent=True)


def webm_upload() -> io.BytesIO:
    upload = io.BytesIO(WEBM)
    upload.name = "session-recording.webm"
    return upload


def test_a_recording_upload_without_both_consents_is_refused(client, booking, private_media):
    room_services.room_open(booking=booking)
    consent(booking, "practitioner")
    as_user(client, booking.practitioner.user)
    response = client.post(room_url("room-recording", booking), {"file": webm_upload()})
    assert response.status_code == 409
    assert response.json()["code"] == "no_recording"
    assert not Recording.objects.exclude(storage_name="").exists()


def test_a_recording_both_consented_to_is_stored_once(client, booking, private_media):
    room_services.room_open(booking=booking)
    consent(booking, "practitioner", "client")
    access = room_for_participant(user=booking.practitioner.user, booking_id=booking.pk)
    room_services.recording_start(access=access)
    room_services.recording_stop(access=access)
    as_user(client, booking.practitioner.user)
    response = client.post(room_url("room-recording", booking), {"file": webm_upload()})
    assert response.status_code == 201, response.content
    recording = Recording.objects.get()
    assert response.json() == {"id": recording.pk}
    assert recording.content_type == "video/webm"
    again = client.post(room_url("room-recording", booking), {"file": webm_upload()})
    assert again.status_code == 409


def test_a_recording_upload_that_is_not_media_is_400(client, booking, private_media):
    room_services.room_open(booking=booking)
    as_user(client, booking.practitioner.user)
    upload = io.BytesIO(b"%PDF-1.4 not a recording")
    upload.name = "x.webm"
    response = client.post(room_url("room-recording", booking), {"file": upload})
    assert response.status_code == 400
    assert response.json()["code"] == "file_refused"


def test_only_the_practitioners_browser_uploads_recordings(client, booking):
    as_user(client, booking.client)
    response = client.post(room_url("room-recording", booking), {"file": webm_upload()})
    assert response.status_code == 404


def test_a_recording_post_without_a_file_is_400(client, booking):
    as_user(client, booking.practitioner.user)
    response = client.post(room_url("room-recording", booking))
    assert response.status_code == 400
    assert response.json()["code"] == "file_required"


# ---------- delivered by phone ----------


def test_the_practitioner_marks_a_started_session_delivered_by_phone(client):
    booking = make_room_booking(starts_in=dt.timedelta(minutes=-5))
    as_user(client, booking.practitioner.user)
    response = client.post(room_url("room-delivered-by-phone", booking), follow=True)
    assert response.redirect_chain[-1][0] == reverse("practice-booking", args=[booking.pk])
    assert "delivered by phone" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert Room.objects.get(booking=booking).delivered_by_phone_at is not None


def test_delivered_by_phone_before_the_start_is_refused_with_a_message(client):
    booking = make_room_booking(starts_in=dt.timedelta(minutes=5))
    as_user(client, booking.practitioner.user)
    response = client.post(room_url("room-delivered-by-phone", booking), follow=True)
    assert "could not be marked as delivered" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_the_client_and_strangers_cannot_mark_delivered_by_phone(client):
    booking = make_room_booking(starts_in=dt.timedelta(minutes=-5))
    as_user(client, booking.client)
    assert client.post(room_url("room-delivered-by-phone", booking)).status_code == 403
    other = PractitionerProfileFactory()
    role_grant(user=other.user, role=Role.PRACTITIONER)
    enrol_totp(other.user)
    as_user(client, other.user)
    assert client.post(room_url("room-delivered-by-phone", booking)).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


# ---------- Join links and attendance ----------


def test_join_shows_on_the_booking_page_and_list_only_while_the_room_is_open(client):
    open_booking = make_room_booking()
    later = make_room_booking(starts_in=dt.timedelta(days=1))
    later.client = open_booking.client
    later.save(update_fields=["client"])
    as_user(client, open_booking.client)
    detail = client.get(reverse("booking-detail", args=[open_booking.pk])).content.decode()
    assert f'href="{reverse("room", args=[open_booking.pk])}"' in detail
    later_detail = client.get(reverse("booking-detail", args=[later.pk])).content.decode()
    assert reverse("room", args=[later.pk]) not in later_detail
    assert "Room opens" in later_detail
    listing = client.get(reverse("account-bookings")).content.decode()
    assert f'href="{reverse("room", args=[open_booking.pk])}"' in listing
    assert f'href="{reverse("room", args=[later.pk])}"' not in listing


def test_in_person_bookings_never_show_join(client):
    booking = make_room_booking(is_online=False)
    as_user(client, booking.client)
    detail = client.get(reverse("booking-detail", args=[booking.pk])).content.decode()
    assert reverse("room", args=[booking.pk]) not in detail
    assert "Room opens" not in detail


def test_the_dashboard_shows_join_attendance_and_a_no_show_button(
    client, django_assert_max_num_queries
):
    came = make_room_booking(starts_in=dt.timedelta(minutes=-20))
    practitioner = came.practitioner
    client_user = UserFactory(first_name="Sam", last_name="Absent", roles=["client"])
    missed = Booking.objects.create(
        client=client_user,
        service=came.service,
        practitioner=practitioner,
        starts_at=came.starts_at - dt.timedelta(hours=2),
        ends_at=came.starts_at - dt.timedelta(hours=1),
        blocked_start=came.starts_at - dt.timedelta(hours=2),
        blocked_end=came.starts_at - dt.timedelta(hours=1),
        status=Booking.Status.CONFIRMED,
        pay_with=Booking.PayWith.CARD,
        price_amount=1000,
        price_currency="GBP",
        confirmed_at=came.starts_at - dt.timedelta(days=3),
    )
    joined_at = came.starts_at + dt.timedelta(minutes=1)
    RoomEvent.objects.create(booking=came, user=came.client, kind="joined", at=joined_at)
    RoomEvent.objects.create(
        booking=came, user=came.client, kind="left", at=joined_at + dt.timedelta(minutes=12)
    )
    as_user(client, practitioner.user)
    # Landing on the week the sessions are in (they may straddle midnight in London).
    week = came.starts_at.astimezone(practitioner.zone).strftime("%G-W%V")
    html = client.get(reverse("practice-calendar") + f"?week={week}").content.decode()
    assert "Client joined, 12 min" in html
    assert "Client has not joined" in html
    assert reverse("practice-booking-no-show", args=[missed.pk]) in html
    assert reverse("practice-booking-no-show", args=[came.pk]) not in html
    assert f'href="{reverse("room", args=[came.pk])}"' in html


def test_the_dashboards_attendance_does_not_grow_queries_with_sessions(client):
    first = make_room_booking(starts_in=dt.timedelta(minutes=-20))
    practitioner = first.practitioner
    as_user(client, practitioner.user)
    week = first.starts_at.astimezone(practitioner.zone).strftime("%G-W%V")
    url = reverse("practice-calendar") + f"?week={week}"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for hours in (2, 3, 4):
        starts_at = first.starts_at - dt.timedelta(hours=hours)
        Booking.objects.create(
            client=UserFactory(),
            service=first.service,
            practitioner=practitioner,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=50),
            blocked_start=starts_at,
            blocked_end=starts_at + dt.timedelta(minutes=50),
            status=Booking.Status.CONFIRMED,
            pay_with=Booking.PayWith.CARD,
            price_amount=1000,
            price_currency="GBP",
            confirmed_at=starts_at - dt.timedelta(days=3),
        )
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)


def test_unknown_token_uuid_has_no_effect_on_the_page(client, booking):
    # The page never takes a token from the URL: a stray one is ignored, not an error.
    as_user(client, booking.client)
    response = client.get(room_url("room", booking) + f"?token={uuid.uuid4()}")
    assert response.status_code == 200


# ---------- the practitioner's phone number for the session ----------


def test_the_practitioner_sets_the_phone_number_the_client_is_given(client, booking):
    as_user(client, booking.practitioner.user)
    response = client.post(
        room_url("room-fallback-phone", booking), {"phone_number": "+44 7700 900123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == room_url("room", booking)
    assert 'value="+447700900123"' in response.content.decode()
    as_user(client, booking.client)
    config = client.post(room_url("room-token", booking)).json()["config"]
    assert config["fallback_phone"] == "+447700900123"


def test_a_malformed_phone_number_is_refused_with_a_message(client, booking):
    as_user(client, booking.practitioner.user)
    response = client.post(
        room_url("room-fallback-phone", booking), {"phone_number": "call me"}, follow=True
    )
    assert "international form" in response.content.decode()
    assert not any(room.fallback_phone for room in Room.objects.filter(booking=booking))


def test_only_the_sessions_practitioner_sets_the_phone_number(client, booking):
    as_user(client, booking.client)
    response = client.post(
        room_url("room-fallback-phone", booking), {"phone_number": "+447700900123"}
    )
    assert response.status_code == 404
    as_user(client, UserFactory())
    response = client.post(
        room_url("room-fallback-phone", booking), {"phone_number": "+447700900123"}
    )
    assert response.status_code == 404
    assert not any(room.fallback_phone for room in Room.objects.filter(booking=booking))


def test_a_chime_room_whose_bundle_was_never_built_still_renders(client, booking, monkeypatch):
    """Production's manifest storage raises ValueError for a file collectstatic never saw;
    the page must still render (its script then offers the phone fallback), never a 500."""
    from types import SimpleNamespace

    from commerce.rooms import views

    def unbuilt(path: str) -> str:
        raise ValueError(f"Missing staticfiles manifest entry for '{path}'")

    monkeypatch.setattr(views, "get_video_provider", lambda: SimpleNamespace(name="chime"))
    monkeypatch.setattr(views, "static", unbuilt)
    as_user(client, booking.client)
    response = client.get(room_url("room", booking))
    assert response.status_code == 200
    assert 'data-chime-src=""' in response.content.decode()

    monkeypatch.setattr(views, "static", lambda path: f"/static/{path}")
    response = client.get(room_url("room", booking))
    assert 'data-chime-src="/static/dist/rooms-chime.js"' in response.content.decode()


def test_a_peer_to_peer_room_names_no_chime_bundle(client, booking):
    as_user(client, booking.client)
    response = client.get(room_url("room", booking))
    assert 'data-chime-src=""' in response.content.decode()
