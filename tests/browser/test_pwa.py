"""The installable app in Chromium: the service worker controls the page, DevTools reports
no installability errors, the offline page answers without a network, a push reaches the
worker and shows a notification, and turning push on stores the browser's subscription.

pytest-django's live server (not asgi_live_server): nothing here needs a WebSocket, and it
serves the static files (icons, CSS) that installability and axe depend on.
127.0.0.1 is a secure context, so Chromium allows workers and push on it."""

from __future__ import annotations

import base64
import json

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from notifications.channels import RenderedPush
from notifications.models import Delivery, Notification
from notifications.push.models import PushSubscription
from notifications.push.sender import push_send
from tests.accounts.factories import UserFactory
from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    VIEWPORTS,
    assert_accessible,
    sign_in,
)
from tests.notifications.push.support import Browser as PushBrowser
from tests.notifications.push.support import PushServicePeer, b64url_decode

pytestmark = pytest.mark.browser

SETTINGS_PATH = "/account/notifications/settings/"


def shown_notifications(page: Page, *, seconds: float) -> list[dict]:
    """The notifications the worker is showing, once there are any."""
    for _ in range(int(seconds * 10)):
        shown = page.evaluate(
            """navigator.serviceWorker.ready
                .then((r) => r.getNotifications())
                .then((list) => list.map((n) => (
                    {title: n.title, body: n.body, tag: n.tag, url: n.data.url}
                )))"""
        )
        if shown:
            return shown
        page.wait_for_timeout(100)
    return []


def wait_for_control(page: Page) -> None:
    """Waits for the worker to install and activate, then reloads once: a page is
    controlled from the first load after activation (clients.claim() may win the race,
    the reload makes it certain)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


@pytest.fixture
def csp_violations_of():
    """Collects what the Content Security Policy blocked on a page, as Chromium reports it."""

    def attach(page: Page) -> list[str]:
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return violations

    return attach


@pytest.fixture
def app_context(browser: Browser, live_server, tmp_path) -> BrowserContext:
    """A Chromium profile on disk. Playwright's usual contexts are incognito-like, and
    Chromium neither installs apps nor offers push there ("in-incognito")."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=DESKTOP,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_the_worker_controls_the_page_and_the_site_is_installable(
    live_server, home_page, app_context, csp_violations_of
):
    page = app_context.new_page()
    violations = csp_violations_of(page)
    page.goto(f"{live_server.url}/")

    wait_for_control(page)

    assert (
        page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{live_server.url}/sw.js"
    )
    cdp = app_context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    assert manifest["errors"] == []
    assert cdp.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}
    assert violations == []


def test_the_offline_page_answers_when_the_network_is_gone(live_server, home_page, app_context):
    user = UserFactory(email="offline@example.org")
    page = app_context.new_page()
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/account/")
    wait_for_control(page)

    app_context.set_offline(True)
    page.goto(f"{live_server.url}/account/")

    expect(page.get_by_role("heading", level=1)).to_have_text("You’re offline")
    # The cached shell keeps the page styled, and it names nobody: it was fetched
    # without cookies when the worker installed.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(251, 247, 240)"
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert user.email not in page.content()
    # Signed-in pages are never stored: going back offline gives the offline page too.
    page.goto(f"{live_server.url}/account/notifications/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You’re offline")
    app_context.set_offline(False)
    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("You’re offline")


def test_a_push_message_shows_a_notification_that_links_into_the_site(
    live_server, home_page, app_context
):
    app_context.grant_permissions(["notifications"], origin=live_server.url)
    page = app_context.new_page()
    page.goto(f"{live_server.url}/")
    wait_for_control(page)
    shown = push_to_worker(
        app_context,
        page,
        live_server.url,
        json.dumps(
            {
                "title": "New message",
                "body": "You have a new secure message on Aeyia.",
                "url": "https://evil.example/phish",
                "tag": "messages.new",
            }
        ),
    )
    assert shown == [
        {
            "title": "New message",
            "body": "You have a new secure message on Aeyia.",
            "tag": "messages.new",
            # A push may only open a page of this site.
            "url": "/",
        }
    ]


# Chromium's own PushManager.subscribe() registers with Google's push service (FCM), which
# no test can reach. This double replaces only subscribe/getSubscription in the page: it
# hands out a subscription whose endpoint is the test's own push service and whose keys the
# test holds (the "browser" of tests/notifications/push/support.py), and records the
# applicationServerKey the page passed. Permission prompts, the worker, the page script,
# the server, the sender and the worker's push handler are all real.
PUSH_MANAGER_DOUBLE = """
(() => {
  const made = %s;
  const STORED = "aeyia-test-push-subscription";
  const asSubscription = (json) => ({
    endpoint: json.endpoint,
    expirationTime: null,
    toJSON: () => ({endpoint: json.endpoint, expirationTime: null, keys: json.keys}),
    unsubscribe: async () => { localStorage.removeItem(STORED); return true; },
  });
  PushManager.prototype.getSubscription = async function () {
    const stored = localStorage.getItem(STORED);
    return stored ? asSubscription(JSON.parse(stored)) : null;
  };
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    localStorage.setItem("aeyia-test-push-key", btoa(String.fromCharCode(...key)));
    localStorage.setItem("aeyia-test-push-visible", String(options.userVisibleOnly));
    localStorage.setItem(STORED, JSON.stringify(made));
    return asSubscription(made);
  };
})();
"""


@pytest.fixture
def push_peer(settings):
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = True
    settings.GUARDED_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    peer = PushServicePeer()
    yield peer
    peer.stop()


def push_to_worker(context: BrowserContext, page: Page, origin: str, data: str) -> list[dict]:
    """Hands `data` to the page's service worker as a push message (DevTools protocol), as
    the browser does once it has decrypted one from its push service, and returns the
    notifications the worker then shows. Chromium drops a push for a registration it has
    not finished storing (just after activation), so the message is handed over again,
    with the same tag (a repeat replaces, never adds), until one shows."""
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(10):
        found = [
            item
            for item in registrations
            if item["scopeURL"] == f"{origin}/" and not item.get("isDeleted")
        ]
        if not found:
            page.wait_for_timeout(200)
            continue
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": origin, "registrationId": found[0]["registrationId"], "data": data},
        )
        shown = shown_notifications(page, seconds=2)
        if shown:
            return shown
    raise AssertionError(f"no notification shown for a push to {origin}/")


def test_turning_push_on_stores_the_subscription_and_a_push_reaches_the_device(
    live_server, app_context, csp_violations_of, push_peer
):
    user = UserFactory(email="push@example.org")
    device = PushBrowser()
    app_context.add_init_script(
        PUSH_MANAGER_DOUBLE % json.dumps(device.subscription_json(push_peer.endpoint("device")))
    )
    app_context.grant_permissions(["notifications"], origin=live_server.url)
    page = app_context.new_page()
    violations = csp_violations_of(page)
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}{SETTINGS_PATH}")
    wait_for_control(page)

    toggle = page.locator("[data-push-toggle]")
    expect(toggle.get_by_role("status")).to_have_text("Push notifications are off for this device.")
    toggle.get_by_role("button", name="Turn on push notifications").click()

    expect(toggle.get_by_role("status")).to_have_text("Push notifications are on for this device.")
    expect(toggle.get_by_role("button", name="Turn off push notifications")).to_be_focused()
    subscription = PushSubscription.objects.get()
    assert subscription.user == user
    assert subscription.endpoint == push_peer.endpoint("device")
    assert (subscription.p256dh, subscription.auth) == (device.p256dh, device.auth)
    # The page subscribed with our VAPID public key, for visible notifications only.
    key = page.evaluate("localStorage.getItem('aeyia-test-push-key')")
    assert base64.b64encode(b64url_decode(settings.WEBPUSH_VAPID_PUBLIC_KEY)).decode() == key
    assert page.evaluate("localStorage.getItem('aeyia-test-push-visible')") == "true"

    # The server sends a push to the stored subscription; the push service gets it
    # encrypted, and what the device decrypts is what its worker shows.
    notification = Notification.objects.create(
        recipient=user,
        type_key="messages.new",
        category="messages",
        dedupe_key="browser-test",
        context={"body": "the text of a private message"},
    )
    delivery = Delivery.objects.create(notification=notification, channel="push")
    push_send(
        delivery,
        RenderedPush(
            title="New message",
            body="You have a new secure message on Aeyia.",
            url="/account/notifications/",
            tag="messages.new",
        ),
    )
    [received] = push_peer.received
    plaintext = device.decrypt(received.body).decode()
    assert "private message" not in plaintext
    shown = push_to_worker(app_context, page, live_server.url, plaintext)
    assert shown == [
        {
            "title": "New message",
            "body": "You have a new secure message on Aeyia.",
            "tag": "messages.new",
            "url": "/account/notifications/",
        }
    ]

    page.reload()
    expect(toggle.get_by_role("status")).to_have_text("Push notifications are on for this device.")
    toggle.get_by_role("button", name="Turn off push notifications").click()
    expect(toggle.get_by_role("status")).to_have_text("Push notifications are off for this device.")
    assert not PushSubscription.objects.exists()
    assert violations == []


def test_a_blocked_permission_explains_how_to_allow_it(live_server, browser: Browser):
    user = UserFactory(email="blocked@example.org")
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, user.email)
        target = context.new_cdp_session(page).send("Target.getTargetInfo")["targetInfo"]
        browser.new_browser_cdp_session().send(
            "Browser.setPermission",
            {
                "permission": {"name": "notifications"},
                "setting": "denied",
                "origin": live_server.url,
                "browserContextId": target["browserContextId"],
            },
        )
        page.goto(f"{live_server.url}{SETTINGS_PATH}")
        toggle = page.locator("[data-push-toggle]")
        expect(toggle.get_by_role("status")).to_have_text(
            "Push notifications are blocked for Aeyia in this browser."
        )
        expect(
            toggle.get_by_text("Your browser is blocking notifications from Aeyia")
        ).to_be_visible()
        expect(toggle.get_by_role("button", name="Turn on push notifications")).to_be_hidden()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_offline_page_and_the_push_toggle_are_accessible(
    live_server, home_page, axe_page, viewport
):
    user = UserFactory(email="axe-push@example.org")
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/offline/")
    assert_accessible(axe_page)

    sign_in(axe_page, live_server.url, user.email)
    axe_page.goto(f"{live_server.url}{SETTINGS_PATH}")
    toggle = axe_page.locator("[data-push-toggle]")
    expect(toggle.get_by_role("button", name="Turn on push notifications")).to_be_visible()
    assert_accessible(axe_page)
    width = axe_page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
