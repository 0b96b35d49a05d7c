"""The ASGI application (config/asgi.py): HTTP reaches Django, WebSockets pass the origin
check and carry the session's user, and the channel layer delivers between consumers."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from config.asgi import application
from config.asgi_limits import ConcurrentRequestLimit
from tests.asgi_communicators import HttpCommunicator, WebsocketCommunicator
from tests.config.asgi_probe import PROBE_GROUP, PROBE_PATH, probe_application

# database_sync_to_async (the session lookup) closes connections between calls, which a
# test wrapped in a rolled-back transaction would lose: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = (b"origin", b"http://localhost")


def session_cookie_for(client, user) -> tuple[bytes, bytes]:
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())


def hello(app, headers) -> tuple[bool, dict | None]:
    """Connects to the probe with `headers`; whether it was accepted and its greeting."""

    async def run():
        communicator = WebsocketCommunicator(app, PROBE_PATH, headers=headers)
        connected, _ = await communicator.connect()
        greeting = await communicator.receive_json_from() if connected else None
        await communicator.disconnect()
        return connected, greeting

    return async_to_sync(run)()


def test_http_requests_reach_django():
    async def run():
        communicator = HttpCommunicator(application, "GET", "/healthz")
        return await communicator.get_response()

    response = async_to_sync(run)()
    assert response["status"] == 200
    assert b"ok" in response["body"].lower()


def test_a_socket_opened_from_another_site_is_refused():
    connected, _ = hello(probe_application(), [(b"origin", b"https://elsewhere.example")])
    assert not connected


def test_a_socket_without_an_origin_is_refused():
    connected, _ = hello(probe_application(), [])
    assert not connected


def test_the_real_application_refuses_another_origin_before_routing():
    async def run():
        communicator = WebsocketCommunicator(
            application, "/ws/notifications/", headers=[(b"origin", b"https://elsewhere.example")]
        )
        connected, _ = await communicator.connect()
        return connected

    assert async_to_sync(run)() is False


def test_a_visitor_without_a_session_is_anonymous():
    connected, greeting = hello(probe_application(), [ALLOWED_ORIGIN])
    assert connected
    assert greeting == {"type": "hello", "user": None}


def test_the_session_cookie_names_the_user(client, django_user_model):
    user = django_user_model.objects.create_user(email="ws@example.org", password="x-unused-1")
    connected, greeting = hello(
        probe_application(), [ALLOWED_ORIGIN, session_cookie_for(client, user)]
    )
    assert connected
    assert greeting == {"type": "hello", "user": user.get_username()}


def test_a_signed_out_session_is_anonymous(client, django_user_model):
    user = django_user_model.objects.create_user(email="gone@example.org", password="x-unused-1")
    cookie = session_cookie_for(client, user)
    client.logout()
    connected, greeting = hello(probe_application(), [ALLOWED_ORIGIN, cookie])
    assert connected
    assert greeting == {"type": "hello", "user": None}


def test_an_event_sent_to_a_group_reaches_the_open_socket():
    async def run():
        communicator = WebsocketCommunicator(
            probe_application(), PROBE_PATH, headers=[ALLOWED_ORIGIN]
        )
        await communicator.connect()
        await communicator.receive_json_from()
        await get_channel_layer().group_send(PROBE_GROUP, {"type": "probe.broadcast", "text": "hi"})
        received = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"ping": 1})
        echoed = await communicator.receive_json_from()
        await communicator.disconnect()
        return received, echoed

    received, echoed = async_to_sync(run)()
    assert received == {"type": "broadcast", "text": "hi"}
    assert echoed == {"type": "echo", "data": {"ping": 1}}


def test_the_channel_layer_follows_redis_url_with_a_per_run_prefix():
    layer = settings.CHANNEL_LAYERS["default"]
    if settings.REDIS_URL:
        assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
        assert layer["CONFIG"]["hosts"] == [settings.REDIS_URL]
        assert layer["CONFIG"]["prefix"].startswith("aeyia-test-ws-")
    else:
        assert layer["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_a_socket_to_a_path_no_app_serves_is_refused_cleanly():
    async def run():
        communicator = WebsocketCommunicator(
            application, "/ws/nothing-here/", headers=[ALLOWED_ORIGIN]
        )
        return await communicator.connect()

    connected, _ = async_to_sync(run)()
    assert connected is False


class TestConcurrentRequestLimit:
    def test_requests_beyond_the_limit_wait_their_turn_and_all_complete(self):
        running = 0
        most = 0

        async def slow_app(scope, receive, send):
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.02)
            running -= 1
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": scope["path"].encode()})

        limited = ConcurrentRequestLimit(slow_app, limit=3)

        async def run():
            communicators = [HttpCommunicator(limited, "GET", f"/{n}") for n in range(10)]
            return await asyncio.gather(*(c.get_response() for c in communicators))

        responses = async_to_sync(run)()
        assert [r["body"] for r in responses] == [f"/{n}".encode() for n in range(10)]
        assert most == 3

    def test_the_application_caps_http_at_the_setting(self):
        assert application.application_mapping["http"].limit == settings.WEB_CONCURRENT_REQUESTS

    def test_a_limit_below_one_is_refused(self):
        with pytest.raises(ValueError):
            ConcurrentRequestLimit(lambda *args: None, limit=0)
