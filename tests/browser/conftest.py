"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against
pytest-django's live server, or against `asgi_live_server` (uvicorn serving config.asgi)
when a test needs WebSockets.

Playwright's sync API keeps an asyncio loop running in the main thread while the browser is
open. Django notices that loop twice over: it refuses ORM calls from that thread ("You
cannot call this from an async context"), and its per-context connection storage would hand
out fresh connection objects, not the ones the test database was set up on. The tests are
synchronous, so the browser fixture allows those calls and keeps the connection objects the
rest of the run already uses.
"""

import asyncio
import http.client
import os
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.contrib.auth.models import Group, Permission
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from marketing_site.pages.demo import seed_home_page
from tests.browser.support import AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.wagtail_tree import ensure_wagtail_tree


def pytest_collection_modifyitems(items):
    """Browser tests drive the live server, so their data is committed and the database
    is flushed after each one."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci`")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pinned = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, connection in pinned.items():
                connections[alias] = connection
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile that enforces the site's Content Security Policy."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    """What the Content Security Policy blocked on `page`, as Chromium reports it."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page for axe runs. axe goes in as an inline script, which the site's CSP rightly
    refuses, so this profile bypasses CSP; test_csp.py checks the policy separately."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def home_page():
    """The Wagtail home page the demo seeds, served at /."""
    ensure_wagtail_tree()
    return seed_home_page()


@pytest.fixture
def editors_can_use_wagtail():
    """Wagtail's "Editors" group with the admin access its migration grants (a flush after
    an earlier committing test leaves the group without it)."""
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )


class AsgiLiveServer:
    """uvicorn serving an ASGI application on 127.0.0.1 in a thread with its own event loop."""

    def __init__(self, *, url: str, loop: asyncio.AbstractEventLoop) -> None:
        self.url = url
        self.ws_url = "ws" + url.removeprefix("http")
        self._loop = loop

    def in_worker_thread(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Calls `function` in a thread of its own and returns its result (or raises its
        error). Code that uses async_to_sync (publishing to the channel layer, say) cannot
        run in the test's thread while Playwright's event loop runs there."""
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["result"] = function(*args, **kwargs)
            except BaseException as error:  # handed to the caller below
                outcome["error"] = error
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name="asgi-live-server-call")
        thread.start()
        thread.join(30)
        if thread.is_alive():
            pytest.fail(f"{function!r} did not return within 30 s")
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    def group_send(self, group: str, message: dict[str, Any]) -> None:
        """Sends `message` to a channel-layer group, as application code would."""
        layer = get_channel_layer()
        if isinstance(layer, InMemoryChannelLayer):
            # Without REDIS_URL the layer lives in this process and its queues belong to
            # the server's event loop, so the send must happen on that loop.
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), self._loop)
            future.result(10)
        else:
            self.in_worker_thread(async_to_sync(layer.group_send), group, message)


@pytest.fixture
def asgi_application():
    """What `asgi_live_server` serves: config.asgi's application. A test module may
    override this fixture to serve a variant (extra routes) built from the same parts."""
    from config.asgi import application

    return application


@pytest.fixture
def asgi_live_server(transactional_db, asgi_application) -> Iterator[AsgiLiveServer]:
    """HTTP and WebSockets through uvicorn, the server `make run` and production use.

    The server's requests run in its own threads against the test database, so the data
    they see must be committed (transactional_db). The channel layer is the test settings'
    one: Redis when REDIS_URL is set, so events published by the test (or a Celery task run
    eagerly) reach sockets held by the server.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        asgi_application,
        lifespan="off",
        ws="websockets-sansio",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    loop_holder: dict[str, asyncio.AbstractEventLoop] = {}
    failure: dict[str, BaseException] = {}

    async def serve() -> None:
        loop_holder["loop"] = asyncio.get_running_loop()
        await server.serve(sockets=[listener])

    def run() -> None:
        try:
            asyncio.run(serve())
        except BaseException as error:  # reported by the wait below
            failure["error"] = error

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if failure or not thread.is_alive():
            break
        if server.started:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                probe.close()
        threading.Event().wait(0.1)
    else:
        pytest.fail(f"uvicorn did not answer on {url} within 30 s")
    if failure or not thread.is_alive():
        pytest.fail(f"uvicorn stopped while starting: {failure.get('error')!r}")
    try:
        yield AsgiLiveServer(url=url, loop=loop_holder["loop"])
    finally:
        server.should_exit = True
        thread.join(10)
        if thread.is_alive():
            # A socket left open (a page still connected) keeps a graceful shutdown waiting.
            server.force_exit = True
            thread.join(10)
        listener.close()


# Fake camera, microphone and screen for the session-room and video tests.
FAKE_MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # getDisplayMedia picks the whole screen without a chooser.
    "--auto-select-desktop-capture-source=Entire screen",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture
def media_browser(browser: Browser):
    """A second Chromium with fake media devices (the shared one has none). Launched
    through the session browser's Playwright, so its thread set-up applies."""
    media = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA_ARGS]
    )
    yield media
    media.close()
