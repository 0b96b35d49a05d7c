"""The signalling socket through the real ASGI stack (origin check, session auth, routing)
on the test run's channel layer (Redis when REDIS_URL is set): signals reach only the
other participant of the same room, the waiting room holds back an unadmitted client,
chat, recording consent, ping, and the close codes for bad tokens, strangers and closed
rooms."""

import asyncio
import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from commerce.rooms import services
from commerce.rooms.models import ChatMessage, RoomEvent
from config.asgi import application
from tests.accounts.factories import UserFactory
from tests.asgi_communicators import WebsocketCommunicator
from tests.commerce.rooms.room_setup import room_booking

pytestmark = pytest.mark.django_db(transaction=True)

OFFER = {"sdp": {"type": "offer", "sdp": "v=0\r\n"}}


def _headers(user) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://localhost")]
    if user is not None:
        browser = Client()
        browser.force_login(user)
        cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return headers


def _token(user, booking) -> str:
    return str(services.join_token_issue(user=user, booking=booking).token)


def _socket(user, booking, token=None) -> WebsocketCommunicator:
    token = token if token is not None else _token(user, booking)
    return WebsocketCommunicator(
        application, f"/ws/rooms/{booking.pk}/?token={token}", headers=_headers(user)
    )


async def _open(socket) -> dict:
    connected, _ = await socket.connect()
    assert connected
    return await socket.receive_json_from()


async def _closed_with(socket) -> int:
    connected, _ = await socket.connect()
    assert connected  # accepted first so the browser sees the code
    message = await socket.receive_output(3)
    while message["type"] == "websocket.send":
        message = await socket.receive_output(3)
    assert message["type"] == "websocket.close", message
    return message["code"]


async def _settle() -> None:
    # Lets frames already on the channel layer arrive before "nothing arrived" is asserted.
    await asyncio.sleep(0.2)


def test_signals_reach_only_the_other_participant_of_the_same_room():
    booking = room_booking()
    other = room_booking()
    practitioner = _socket(booking.practitioner.user, booking)
    client = _socket(booking.client, booking)
    stranger_p = _socket(other.practitioner.user, other)
    stranger_c = _socket(other.client, other)

    async def scenario():
        welcome = await _open(practitioner)
        assert welcome["type"] == "welcome" and welcome["role"] == "practitioner"
        assert welcome["admitted"] is True and welcome["peer_present"] is False
        await _open(stranger_p)
        welcome = await _open(client)
        assert welcome["admitted"] is False and welcome["peer_present"] is True
        assert await practitioner.receive_json_from() == {"type": "peer", "event": "joined"}
        assert await practitioner.receive_json_from() == {"type": "peer", "event": "waiting"}
        await practitioner.send_json_to({"type": "admit"})
        assert await practitioner.receive_json_from() == {"type": "admitted"}
        assert await client.receive_json_from() == {"type": "admitted"}
        await _open(stranger_c)
        assert (await stranger_p.receive_json_from())["event"] == "joined"
        assert (await stranger_p.receive_json_from())["event"] == "waiting"

        await client.send_json_to({"type": "signal", "data": OFFER})
        assert await practitioner.receive_json_from() == {"type": "signal", "data": OFFER}
        await practitioner.send_json_to({"type": "signal", "data": {"candidate": "c1"}})
        assert await client.receive_json_from() == {"type": "signal", "data": {"candidate": "c1"}}
        await _settle()
        for socket in (client, practitioner, stranger_p, stranger_c):
            assert await socket.receive_nothing(timeout=0.3)

        await client.send_json_to({"type": "leave"})
        assert (await client.receive_output(3))["type"] == "websocket.close"
        await client.disconnect()
        assert await practitioner.receive_json_from() == {"type": "peer", "event": "left"}
        for socket in (practitioner, stranger_p, stranger_c):
            await socket.disconnect()

    async_to_sync(scenario)()
    kinds = list(
        RoomEvent.objects.filter(booking=booking, user=booking.client).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["joined", "left"]


def test_the_waiting_room_drops_an_unadmitted_clients_signals_and_chat():
    booking = room_booking()
    practitioner = _socket(booking.practitioner.user, booking)
    client = _socket(booking.client, booking)

    async def scenario():
        await _open(practitioner)
        await _open(client)
        await practitioner.receive_json_from()  # peer joined
        await practitioner.receive_json_from()  # peer waiting
        await client.send_json_to({"type": "signal", "data": OFFER})
        await client.send_json_to({"type": "chat", "text": "let me in"})
        await client.send_json_to({"type": "admit"})
        await practitioner.send_json_to({"type": "signal", "data": OFFER})
        await client.send_json_to({"type": "ping", "t": 5})
        assert await client.receive_json_from() == {"type": "pong", "t": 5}
        await _settle()
        assert await practitioner.receive_nothing(timeout=0.3)
        assert await client.receive_nothing(timeout=0.3)
        await client.disconnect()
        await practitioner.disconnect()

    async_to_sync(scenario)()
    assert not ChatMessage.objects.exists()
    assert not RoomEvent.objects.filter(kind="admitted").exists()


def test_chat_is_stored_and_reaches_both_and_a_rejoin_gets_the_history():
    booking = room_booking()
    services.room_open(booking=booking)
    services.room_admit(practitioner=booking.practitioner.user, booking=booking)
    practitioner = _socket(booking.practitioner.user, booking)
    client = _socket(booking.client, booking)
    later = _socket(booking.client, booking)

    async def scenario():
        await _open(practitioner)
        await _open(client)
        await practitioner.receive_json_from()  # peer joined
        await client.send_json_to({"type": "chat", "text": "Hello"})
        for socket in (client, practitioner):
            frame = await socket.receive_json_from()
            assert (frame["type"], frame["from"], frame["text"]) == ("chat", "client", "Hello")
        await client.send_json_to({"type": "chat", "text": "   "})
        assert (await client.receive_json_from())["type"] == "error"
        await client.disconnect()
        welcome = await _open(later)
        assert [line["text"] for line in welcome["chat"]] == ["Hello"]
        await later.disconnect()
        await practitioner.disconnect()

    async_to_sync(scenario)()
    assert ChatMessage.objects.get().body == "Hello"


def test_recording_consent_over_the_socket():
    booking = room_booking()
    services.room_open(booking=booking)
    services.room_admit(practitioner=booking.practitioner.user, booking=booking)
    practitioner = _socket(booking.practitioner.user, booking)
    client = _socket(booking.client, booking)

    async def both(expected_state, consented):
        for socket in (client, practitioner):
            frame = await socket.receive_json_from()
            assert frame == {"type": "recording", "state": expected_state, "consented": consented}

    async def scenario():
        await _open(practitioner)
        await _open(client)
        await practitioner.receive_json_from()  # peer joined
        await client.send_json_to({"type": "recording", "action": "consent"})
        await both("consent_needed", {"client": True, "practitioner": False})
        await client.send_json_to({"type": "recording", "action": "start"})
        error = await client.receive_json_from()
        assert (error["type"], error["code"]) == ("error", "consent_needed")
        await practitioner.send_json_to({"type": "recording", "action": "consent"})
        await both("consent_needed", {"client": True, "practitioner": True})
        await practitioner.send_json_to({"type": "recording", "action": "start"})
        await both("recording", {"client": True, "practitioner": True})
        await client.send_json_to({"type": "recording", "action": "revoke"})
        await both("stopped", {"client": False, "practitioner": False})
        await client.send_json_to({"type": "recording", "action": "dance"})
        assert (await client.receive_json_from())["code"] == "bad_action"
        await client.disconnect()
        await practitioner.disconnect()

    async_to_sync(scenario)()
    kinds = set(RoomEvent.objects.filter(booking=booking).values_list("kind", flat=True))
    assert {"recording_started", "recording_stopped"} <= kinds


def test_bad_frames_get_an_error_not_a_crash():
    booking = room_booking()
    practitioner = _socket(booking.practitioner.user, booking)

    async def scenario():
        await _open(practitioner)
        await practitioner.send_input({"type": "websocket.receive", "text": "{not json"})
        assert (await practitioner.receive_json_from())["code"] == "bad_frame"
        await practitioner.send_input({"type": "websocket.receive", "bytes": b"\x00"})
        assert (await practitioner.receive_json_from())["code"] == "bad_frame"
        await practitioner.send_json_to(["a", "list"])
        assert (await practitioner.receive_json_from())["code"] == "bad_frame"
        await practitioner.send_json_to({"type": "teleport"})
        assert (await practitioner.receive_json_from())["code"] == "unknown_type"
        await practitioner.send_json_to({"type": "signal", "data": "sdp"})
        assert (await practitioner.receive_json_from())["code"] == "bad_signal"
        await practitioner.send_json_to({"type": "media", "audio_only": "yes"})
        assert (await practitioner.receive_json_from())["code"] == "bad_media"
        await practitioner.disconnect()

    async_to_sync(scenario)()


def test_a_token_replayed_after_leave_is_closed_with_4401():
    booking = room_booking()
    token = _token(booking.client, booking)
    first = _socket(booking.client, booking, token=token)
    replay = _socket(booking.client, booking, token=token)

    async def scenario():
        await _open(first)
        await first.send_json_to({"type": "leave"})
        assert (await first.receive_output(3))["code"] == 1000
        await first.disconnect()
        assert await _closed_with(replay) == 4401

    async_to_sync(scenario)()


def test_refusals_use_the_spec_close_codes():
    booking = room_booking()
    practitioner_token = _token(booking.practitioner.user, booking)
    cases = [
        # No session: the token alone does not let anyone in.
        (
            WebsocketCommunicator(
                application,
                f"/ws/rooms/{booking.pk}/?token={practitioner_token}",
                headers=_headers(None),
            ),
            4401,
        ),
        # The client's session with the practitioner's token.
        (_socket(booking.client, booking, token=practitioner_token), 4401),
        (_socket(booking.client, booking, token="nonsense"), 4401),
        # Someone who is not a participant.
        (
            WebsocketCommunicator(
                application,
                f"/ws/rooms/{booking.pk}/?token={practitioner_token}",
                headers=_headers(UserFactory(is_staff=True)),
            ),
            4404,
        ),
    ]
    late = room_booking(starts_in=dt.timedelta(minutes=-50), minutes=50)
    late_token = _token(late.client, late)
    from commerce.bookings.models import Booking

    Booking.objects.filter(pk=late.pk).update(
        starts_at=late.starts_at - dt.timedelta(minutes=20),
        ends_at=late.ends_at - dt.timedelta(minutes=20),
        blocked_start=late.starts_at - dt.timedelta(minutes=20),
        blocked_end=late.ends_at - dt.timedelta(minutes=20),
    )
    cases.append((_socket(late.client, late, token=late_token), 4409))

    async def scenario():
        return [await _closed_with(socket) for socket, _ in cases]

    assert async_to_sync(scenario)() == [code for _, code in cases]
    assert not RoomEvent.objects.exists()


def test_a_foreign_origin_is_refused():
    booking = room_booking()
    socket = WebsocketCommunicator(
        application,
        f"/ws/rooms/{booking.pk}/?token={_token(booking.client, booking)}",
        headers=[(b"origin", b"https://evil.example"), *_headers(booking.client)[1:]],
    )

    async def scenario():
        return await socket.connect()

    connected, _code = async_to_sync(scenario)()
    assert connected is False


def test_two_sockets_with_one_token_one_is_accepted():
    booking = room_booking()
    token = _token(booking.client, booking)
    sockets = [_socket(booking.client, booking, token=token) for _ in range(2)]

    async def first_frame(socket):
        connected, _ = await socket.connect()
        assert connected
        return await socket.receive_output(3)

    async def scenario():
        frames = await asyncio.gather(*(first_frame(socket) for socket in sockets))
        for socket in sockets:
            await socket.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    kinds = sorted(frame["type"] for frame in frames)
    assert kinds == ["websocket.close", "websocket.send"]
    closed = next(frame for frame in frames if frame["type"] == "websocket.close")
    assert closed["code"] == 4401
    assert RoomEvent.objects.filter(kind="joined").count() == 1


def test_a_newer_socket_of_the_same_person_replaces_the_older_one():
    booking = room_booking()
    services.room_open(booking=booking)
    services.room_admit(practitioner=booking.practitioner.user, booking=booking)
    practitioner = _socket(booking.practitioner.user, booking)
    old = _socket(booking.client, booking)
    new = _socket(booking.client, booking)

    async def scenario():
        await _open(practitioner)
        await _open(old)
        assert (await practitioner.receive_json_from())["event"] == "joined"
        welcome = await _open(new)
        assert welcome["admitted"] is True  # a reconnect does not send them back to wait
        assert (await old.receive_output(3)) == {"type": "websocket.close", "code": 4000}
        await old.disconnect()
        assert (await practitioner.receive_json_from())["event"] == "joined"
        await _settle()
        assert await practitioner.receive_nothing(timeout=0.3)  # no "left" for the handover
        await new.send_json_to({"type": "signal", "data": OFFER})
        assert (await practitioner.receive_json_from())["type"] == "signal"
        await new.disconnect()
        await practitioner.disconnect()

    async_to_sync(scenario)()


def test_audio_only_and_the_phone_fallback_reach_the_other_side():
    booking = room_booking()
    services.room_open(booking=booking)
    services.room_admit(practitioner=booking.practitioner.user, booking=booking)
    practitioner = _socket(booking.practitioner.user, booking)
    client = _socket(booking.client, booking)

    async def scenario():
        await _open(practitioner)
        await _open(client)
        await practitioner.receive_json_from()  # peer joined
        await client.send_json_to({"type": "media", "audio_only": True})
        assert await practitioner.receive_json_from() == {"type": "media", "audio_only": True}
        await client.send_json_to({"type": "fallback", "reason": "no camera"})
        assert await practitioner.receive_json_from() == {"type": "peer", "event": "fallback"}
        await _settle()
        assert await client.receive_nothing(timeout=0.3)
        await client.disconnect()
        await practitioner.disconnect()

    async_to_sync(scenario)()
    event = RoomEvent.objects.get(kind="fallback_phone")
    assert (event.user, event.detail) == (booking.client, {"reason": "no camera"})


def test_closing_a_due_room_closes_its_sockets_with_4409():
    from commerce.bookings.models import Booking

    booking = room_booking()
    practitioner = _socket(booking.practitioner.user, booking)

    def end_the_session():
        past = booking.starts_at - dt.timedelta(hours=3)
        Booking.objects.filter(pk=booking.pk).update(
            starts_at=past,
            ends_at=past + dt.timedelta(minutes=50),
            blocked_start=past,
            blocked_end=past + dt.timedelta(minutes=50),
        )
        return services.rooms_close_due()

    async def scenario():
        await _open(practitioner)
        assert await database_sync_to_async(end_the_session)() == 1
        message = await practitioner.receive_output(3)
        assert message == {"type": "websocket.close", "code": 4409}
        await practitioner.disconnect()

    async_to_sync(scenario)()
