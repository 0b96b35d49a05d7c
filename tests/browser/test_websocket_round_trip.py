"""A WebSocket round trip through `asgi_live_server`: Chromium opens a socket from one of
the site's pages (under its Content Security Policy) with the signed-in session, the server
names the user, echoes a frame, and relays an event the test publishes on the channel layer."""

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext

from tests.config.asgi_probe import PROBE_GROUP, PROBE_PATH, probe_application

OPEN_SOCKET = """async (url) => {
    const frames = [];
    const socket = new WebSocket(url);
    socket.addEventListener("message", (event) => frames.push(JSON.parse(event.data)));
    window.probe = {socket, frames};
    await new Promise((resolve, reject) => {
        socket.addEventListener("open", resolve);
        socket.addEventListener("close", (event) => reject(new Error(`closed ${event.code}`)));
    });
}"""


@pytest.fixture
def asgi_application():
    return probe_application()


@pytest.mark.browser
def test_a_signed_in_page_talks_to_the_server_over_a_websocket(
    asgi_live_server, context: BrowserContext, home_page, client, django_user_model
):
    user = django_user_model.objects.create_user(email="sockets@example.org", password="x-1")
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": asgi_live_server.url,
            }
        ]
    )
    violations: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(asgi_live_server.url + "/")

    page.evaluate(OPEN_SOCKET, asgi_live_server.ws_url + PROBE_PATH)
    page.wait_for_function("() => window.probe.frames.length >= 1")
    page.evaluate("window.probe.socket.send(JSON.stringify({ping: 42}))")
    page.wait_for_function("() => window.probe.frames.length >= 2")
    asgi_live_server.group_send(PROBE_GROUP, {"type": "probe.broadcast", "text": "from the test"})
    page.wait_for_function("() => window.probe.frames.length >= 3")

    assert page.evaluate("window.probe.frames") == [
        {"type": "hello", "user": "sockets@example.org"},
        {"type": "echo", "data": {"ping": 42}},
        {"type": "broadcast", "text": "from the test"},
    ]
    assert violations == []
