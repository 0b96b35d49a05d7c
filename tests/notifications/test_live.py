"""The bell's live count over ws/notifications/ (notifications.consumers) and
notifications.live.publish_unread, through the real ASGI application: origin check,
session authentication, routing and the channel layer (Redis in the test run)."""

import logging

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from config.asgi import application
from notifications import live, selectors, services
from notifications.consumers import CLOSE_NOT_SIGNED_IN
from tests.accounts.factories import UserFactory
from tests.asgi_communicators import WebsocketCommunicator
from tests.notifications.ui_support import in_app_notification

# database_sync_to_async (the session lookup, the count) closes connections between
# calls, which a rolled-back test transaction would lose: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/notifications/"
ORIGIN = (b"origin", b"http://localhost")


def _cookie(client, user) -> tuple[bytes, bytes]:
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())


def _socket(headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, PATH, headers=[ORIGIN, *headers])


def test_a_signed_out_visitor_is_closed_with_4401():
    async def run():
        socket = _socket([])
        connected, _ = await socket.connect()
        closed = await socket.receive_output(3)
        await socket.wait(3)
        return connected, closed

    connected, closed = async_to_sync(run)()
    # Accepted, then closed with our code, so the page's script knows to stop retrying.
    assert connected
    assert closed == {"type": "websocket.close", "code": CLOSE_NOT_SIGNED_IN}


def test_another_origin_is_refused(client):
    cookie = _cookie(client, UserFactory())

    async def run():
        socket = WebsocketCommunicator(
            application, PATH, headers=[(b"origin", b"https://elsewhere.example"), cookie]
        )
        connected, _ = await socket.connect()
        return connected

    assert async_to_sync(run)() is False


def test_the_current_count_is_sent_on_connect(client):
    person = UserFactory()
    in_app_notification(person, title="One")
    in_app_notification(person, title="Two")
    in_app_notification(person, title="Read", read=True)
    cookie = _cookie(client, person)

    async def run():
        socket = _socket([cookie])
        connected, _ = await socket.connect()
        first = await socket.receive_json_from()
        await socket.disconnect()
        return connected, first

    connected, first = async_to_sync(run)()
    assert connected
    assert first == {"type": "notifications.unread", "count": 2}


def test_a_published_count_reaches_the_persons_socket_and_nobody_elses(client):
    person, other = UserFactory(), UserFactory()
    cookie = _cookie(client, person)

    async def run():
        socket = _socket([cookie])
        await socket.connect()
        initial = await socket.receive_json_from()
        # Someone else's news goes to their group only.
        await get_channel_layer().group_send(live.group_name(other.pk), live.unread_event(9))
        quiet = await socket.receive_nothing(timeout=0.5)
        await get_channel_layer().group_send(live.group_name(person.pk), live.unread_event(4))
        forwarded = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return initial, quiet, forwarded

    initial, quiet, forwarded = async_to_sync(run)()
    assert initial["count"] == 0
    assert quiet is True
    assert forwarded == {"type": "notifications.unread", "count": 4}


def test_publish_unread_sends_the_fresh_count(client):
    person = UserFactory()
    cookie = _cookie(client, person)

    def news_arrives():
        in_app_notification(person)
        selectors.unread_count_forget(person.pk)
        live.publish_unread(person.pk)

    async def run():
        socket = _socket([cookie])
        await socket.connect()
        initial = await socket.receive_json_from()
        await sync_to_async(news_arrives)()
        received = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return initial, received

    initial, received = async_to_sync(run)()
    assert initial["count"] == 0
    assert received == {"type": "notifications.unread", "count": 1}


def test_reading_a_notification_updates_the_open_socket(client):
    person = UserFactory()
    notification = in_app_notification(person)
    cookie = _cookie(client, person)

    def read_it():
        # The service publishes after its transaction commits.
        services.notification_mark_read(user=person, notification_id=notification.pk)

    async def run():
        socket = _socket([cookie])
        await socket.connect()
        initial = await socket.receive_json_from()
        await sync_to_async(read_it)()
        received = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return initial, received

    initial, received = async_to_sync(run)()
    assert initial["count"] == 1
    assert received == {"type": "notifications.unread", "count": 0}


def test_refresh_answers_and_bad_frames_are_ignored(client):
    person = UserFactory()
    in_app_notification(person)
    cookie = _cookie(client, person)

    async def run():
        socket = _socket([cookie])
        await socket.connect()
        await socket.receive_json_from()
        await socket.send_input({"type": "websocket.receive", "text": "not json"})
        await socket.send_input({"type": "websocket.receive", "text": "x" * 10_000})
        await socket.send_json_to(["a list"])
        await socket.send_json_to({"type": "something else"})
        ignored = await socket.receive_nothing(timeout=0.5)
        await socket.send_json_to({"type": "refresh"})
        answer = await socket.receive_json_from()
        await socket.disconnect()
        return ignored, answer

    ignored, answer = async_to_sync(run)()
    assert ignored is True
    assert answer == {"type": "notifications.unread", "count": 1}


def test_a_malformed_group_message_is_not_forwarded(client):
    person = UserFactory()
    cookie = _cookie(client, person)

    async def run():
        socket = _socket([cookie])
        await socket.connect()
        await socket.receive_json_from()
        group = live.group_name(person.pk)
        await get_channel_layer().group_send(group, {"type": "notifications.unread", "count": -1})
        await get_channel_layer().group_send(group, {"type": "notifications.unread"})
        nothing = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return nothing

    assert async_to_sync(run)() is True


def test_publish_unread_never_raises_when_the_layer_is_down(monkeypatch, caplog):
    class DownLayer:
        async def group_send(self, group, message):
            raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(live, "get_channel_layer", lambda: DownLayer())
    person = UserFactory()
    with caplog.at_level(logging.WARNING, logger="notifications.live"):
        live.publish_unread(person.pk)
    assert "could not publish" in caplog.text


def test_publish_unread_without_a_layer_does_nothing(monkeypatch):
    monkeypatch.setattr(live, "get_channel_layer", lambda: None)
    live.publish_unread(UserFactory().pk)
