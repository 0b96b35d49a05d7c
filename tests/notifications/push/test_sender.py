"""The push channel's sender against a push service of the test's own on 127.0.0.1: the
payload is encrypted to the subscription's keys (decrypted here with http_ece, as the
browser would), the VAPID token verifies with our public key, and the push service's
answers decide what happens to the delivery and the subscription."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from notifications import kinds, rendering
from notifications.channels import ChannelError, ChannelUnavailable, RenderedPush, channel_sender
from notifications.delivery import delivery_send
from notifications.kinds import Category, Channel, NotificationType
from notifications.models import Delivery, Notification
from notifications.push.models import PushSubscription
from notifications.push.sender import push_payload, push_send, topic, ttl_seconds
from notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.notifications.push.support import Browser, vapid_claims

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).parent / "templates"
MESSAGE_TYPE = NotificationType(
    key="webpush_tests.message",
    category=Category.MESSAGES,
    channels=frozenset({Channel.IN_APP, Channel.PUSH}),
)
MESSAGE_TEXT = "Since the diagnosis I have not slept and the panic attacks are back"
RENDERED = RenderedPush(
    title="New message",
    body="You have a new secure message on Aeyia.",
    url="/account/messages/7/",
    tag="messages.new",
)


@pytest.fixture
def message_type(monkeypatch):
    """A message notification type with generic push text, its templates on the loader."""
    monkeypatch.setitem(kinds._registry, MESSAGE_TYPE.key, MESSAGE_TYPE)
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEMPLATES]
    rendering._template_exists_cached.cache_clear()
    with override_settings(TEMPLATES=[engine]):
        yield MESSAGE_TYPE
    rendering._template_exists_cached.cache_clear()


def subscribe(user, browser: Browser, endpoint: str) -> PushSubscription:
    return PushSubscription.objects.create(
        user=user, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth
    )


def push_delivery(user, *, type_key="webpush_tests.message", event_at=None) -> Delivery:
    notification = Notification.objects.create(
        recipient=user,
        type_key=type_key,
        category=Category.MESSAGES,
        dedupe_key=f"test:{timezone.now().timestamp()}",
        context={"body": MESSAGE_TEXT},
        event_at=event_at,
    )
    return Delivery.objects.create(notification=notification, channel=Channel.PUSH)


def test_the_sender_is_registered_for_the_push_channel():
    assert channel_sender(Channel.PUSH) is push_send


def test_the_payload_is_encrypted_to_the_browser_and_signed_with_our_vapid_key(push_service):
    user = UserFactory()
    browser = Browser()
    subscription = subscribe(user, browser, push_service.endpoint("one"))

    provider_id = push_send(push_delivery(user), RENDERED)

    assert provider_id == f"webpush:{subscription.pk}"
    [request] = push_service.received
    assert request.path == "/push/one"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["content-type"] == "application/octet-stream"
    assert MESSAGE_TEXT.encode() not in request.body and b"secure message" not in request.body
    assert json.loads(browser.decrypt(request.body)) == {
        "title": "New message",
        "body": "You have a new secure message on Aeyia.",
        "url": "/account/messages/7/",
        "tag": "messages.new",
    }
    claims = vapid_claims(
        request.headers["authorization"], public_key=settings.WEBPUSH_VAPID_PUBLIC_KEY
    )
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == settings.WEBPUSH_VAPID_SUBJECT
    assert request.headers["ttl"] == str(settings.WEBPUSH_TTL_SECONDS)
    assert request.headers["urgency"] == "normal"
    assert request.headers["topic"] == topic("messages.new")
    assert len(request.headers["topic"]) <= 32
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None
    assert subscription.failures == 0


def test_another_key_pair_cannot_read_the_payload(push_service):
    user = UserFactory()
    subscribe(user, Browser(), push_service.endpoint("one"))
    push_send(push_delivery(user), RENDERED)
    with pytest.raises(Exception):  # noqa: B017 - http_ece raises its own and cryptography's errors
        Browser().decrypt(push_service.received[0].body)


def test_a_message_body_in_the_context_never_reaches_the_push_service(push_service, message_type):
    """The whole path: notify() with the message text in its context, the delivery task,
    the templates, the sender, the wire. Only the generic push text arrives."""
    user = UserFactory()
    browser = Browser()
    subscribe(user, browser, push_service.endpoint("phone"))
    notification = notify(
        recipient=user,
        type_key=MESSAGE_TYPE.key,
        context={"sender_name": "Sam Rivers", "body": MESSAGE_TEXT},
        dedupe_key="message:1",
        link="/account/messages/1/",
    )
    delivery = notification.deliveries.get(channel=Channel.PUSH)

    assert delivery_send(delivery_id=delivery.pk) == "sent"

    [request] = push_service.received
    plaintext = browser.decrypt(request.body).decode("utf-8")
    assert MESSAGE_TEXT not in plaintext
    assert "Sam Rivers" not in plaintext
    assert json.loads(plaintext) == {
        "title": "New message",
        "body": "You have a new secure message on Aeyia.",
        "url": "/account/messages/1/",
        "tag": MESSAGE_TYPE.key,
    }
    assert all(MESSAGE_TEXT not in value for value in request.headers.values())
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    assert delivery.provider_message_id.startswith("webpush:")


def test_every_browser_of_the_person_gets_it_and_nobody_else(push_service):
    user, other = UserFactory(), UserFactory()
    phone, laptop, stranger = Browser(), Browser(), Browser()
    subscribe(user, phone, push_service.endpoint("phone"))
    subscribe(user, laptop, push_service.endpoint("laptop"))
    subscribe(other, stranger, push_service.endpoint("stranger"))

    push_send(push_delivery(user), RENDERED)

    by_path = {request.path: request for request in push_service.received}
    assert set(by_path) == {"/push/phone", "/push/laptop"}
    assert json.loads(phone.decrypt(by_path["/push/phone"].body))["title"] == "New message"
    assert json.loads(laptop.decrypt(by_path["/push/laptop"].body))["title"] == "New message"


def test_no_subscription_means_the_channel_is_unavailable():
    with pytest.raises(ChannelUnavailable):
        push_send(push_delivery(UserFactory()), RENDERED)


def test_a_delivery_without_a_subscription_is_skipped_not_retried(message_type):
    user = UserFactory()
    notification = notify(
        recipient=user, type_key=MESSAGE_TYPE.key, context={"sender_name": "Sam"}, dedupe_key="m:2"
    )
    delivery = notification.deliveries.get(channel=Channel.PUSH)
    assert delivery_send(delivery_id=delivery.pk) == "skipped"
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SKIPPED
    assert delivery.skip_reason == "no push subscription"


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(push_service, status):
    user = UserFactory()
    gone = subscribe(user, Browser(), push_service.endpoint("gone"))
    push_service.statuses["/push/gone"] = status

    with pytest.raises(ChannelUnavailable):
        push_send(push_delivery(user), RENDERED)

    assert not PushSubscription.objects.filter(pk=gone.pk).exists()


def test_a_gone_subscription_does_not_stop_the_others(push_service):
    user = UserFactory()
    gone = subscribe(user, Browser(), push_service.endpoint("gone"))
    kept = subscribe(user, Browser(), push_service.endpoint("kept"))
    push_service.statuses["/push/gone"] = 410

    assert push_send(push_delivery(user), RENDERED) == f"webpush:{kept.pk}"
    assert list(PushSubscription.objects.filter(user=user)) == [kept]
    assert not PushSubscription.objects.filter(pk=gone.pk).exists()


@pytest.mark.parametrize("status", [429, 500, 503])
def test_overload_and_server_errors_are_retried(push_service, status):
    user = UserFactory()
    subscription = subscribe(user, Browser(), push_service.endpoint("busy"))
    push_service.statuses["/push/busy"] = status

    with pytest.raises(ChannelError) as raised:
        push_send(push_delivery(user), RENDERED)

    assert raised.value.retryable is True
    subscription.refresh_from_db()
    assert subscription.failures == 0


def test_a_retry_is_scheduled_through_the_delivery(push_service, message_type):
    user = UserFactory()
    subscribe(user, Browser(), push_service.endpoint("busy"))
    push_service.statuses["/push/busy"] = 503
    notification = notify(
        recipient=user, type_key=MESSAGE_TYPE.key, context={"sender_name": "Sam"}, dedupe_key="m:3"
    )
    delivery = notification.deliveries.get(channel=Channel.PUSH)

    assert delivery_send(delivery_id=delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED
    assert delivery.next_attempt_at is not None
    assert "503" in delivery.last_error


@pytest.mark.parametrize("status", [400, 403, 413])
def test_refusals_are_final_and_count_against_the_subscription(push_service, status):
    user = UserFactory()
    subscription = subscribe(user, Browser(), push_service.endpoint("refused"))
    push_service.statuses["/push/refused"] = status

    with pytest.raises(ChannelError) as raised:
        push_send(push_delivery(user), RENDERED)

    assert raised.value.retryable is False
    subscription.refresh_from_db()
    assert subscription.failures == 1


def test_a_subscription_refused_too_often_is_dropped(push_service, settings):
    settings.WEBPUSH_MAX_FAILURES = 3
    user = UserFactory()
    subscription = subscribe(user, Browser(), push_service.endpoint("refused"))
    push_service.statuses["/push/refused"] = 403
    for _ in range(3):
        with pytest.raises(ChannelError):
            push_send(push_delivery(user), RENDERED)
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_one_success_resets_the_count(push_service):
    user = UserFactory()
    subscription = subscribe(user, Browser(), push_service.endpoint("flaky"))
    PushSubscription.objects.filter(pk=subscription.pk).update(failures=3)
    push_send(push_delivery(user), RENDERED)
    subscription.refresh_from_db()
    assert subscription.failures == 0


def test_an_unreachable_push_service_is_retried(push_service):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    user = UserFactory()
    subscribe(user, Browser(), f"http://127.0.0.1:{port}/push/down")
    with pytest.raises(ChannelError) as raised:
        push_send(push_delivery(user), RENDERED)
    assert raised.value.retryable is True


def test_loopback_endpoints_are_refused_unless_the_network_is_allowed(push_service, settings):
    """The endpoint is a URL a person gave us: the guarded fetch refuses our own network."""
    settings.GUARDED_FETCH_ALLOWED_NETWORKS = []
    user = UserFactory()
    subscribe(user, Browser(), push_service.endpoint("inside"))
    with pytest.raises(ChannelError):
        push_send(push_delivery(user), RENDERED)
    assert push_service.received == []


def test_urgent_types_are_sent_with_high_urgency(push_service, monkeypatch):
    urgent = NotificationType(
        key="webpush_tests.reminder",
        category=Category.REMINDERS,
        channels=frozenset({Channel.PUSH}),
        urgent=True,
    )
    monkeypatch.setitem(kinds._registry, urgent.key, urgent)
    user = UserFactory()
    subscribe(user, Browser(), push_service.endpoint("one"))
    push_send(push_delivery(user, type_key=urgent.key), RENDERED)
    assert push_service.received[0].headers["urgency"] == "high"


def test_the_ttl_never_outlives_the_event(settings):
    settings.WEBPUSH_TTL_SECONDS = 6 * 60 * 60
    now = timezone.now()
    soon = Notification(event_at=now + timedelta(minutes=50))
    later = Notification(event_at=now + timedelta(days=2))
    past = Notification(event_at=now - timedelta(hours=1))
    assert ttl_seconds(soon, now=now) == 50 * 60
    assert ttl_seconds(later, now=now) == 6 * 60 * 60
    assert ttl_seconds(past, now=now) == 60
    assert ttl_seconds(Notification(), now=now) == 6 * 60 * 60


def test_the_payload_opens_only_pages_of_this_site_and_stays_small():
    long_text = "word " * 2000
    for url in (
        "https://evil.example/phish",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "",
    ):
        payload = json.loads(push_payload(RenderedPush(title="T", body="B", url=url, tag="t")))
        assert payload["url"] == "/"
    payload = push_payload(RenderedPush(title=long_text, body=long_text, url="/a/", tag=long_text))
    assert len(payload) < 3993  # what one encrypted record may carry (RFC 8291)
    decoded = json.loads(payload)
    assert decoded["title"].endswith("…") and decoded["body"].endswith("…")
    assert (
        json.loads(push_payload(RenderedPush(title="", body="", url="/", tag="")))["title"]
        == "Aeyia"
    )


def test_the_real_new_message_notice_pushes_no_message_text(push_service):
    """The messaging app's own notice type and templates: even if a caller put the text
    and subject into the context, the push carries only the generic line."""
    from marketplace.clients.messaging.notifications import NEW_MESSAGE_TYPE

    user = UserFactory()
    browser = Browser()
    subscribe(user, browser, push_service.endpoint("phone"))
    notification = notify(
        recipient=user,
        type_key=NEW_MESSAGE_TYPE,
        context={
            "thread_id": 41,
            "thread_path": "/account/care/1/messages/41/",
            "subject": "About my diagnosis",
            "body": MESSAGE_TEXT,
        },
        dedupe_key="thread:41:message:1",
        link="/account/care/1/messages/41/",
    )
    delivery = notification.deliveries.get(channel=Channel.PUSH)

    assert delivery_send(delivery_id=delivery.pk) == "sent"

    payload = json.loads(browser.decrypt(push_service.received[0].body))
    assert payload == {
        "title": "New message",
        "body": "You have a new message on Aeyia.",
        "url": "/account/care/1/messages/41/",
        "tag": NEW_MESSAGE_TYPE,
    }
