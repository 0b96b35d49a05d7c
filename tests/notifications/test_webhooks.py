"""/webhooks/email/: Anymail's Mailgun tracking view checks the signature; each event
is applied once and bounces and complaints stop later emails to the address."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail
from django.test import override_settings

from notifications import delivery
from notifications.kinds import Channel
from notifications.models import Delivery, EmailEvent, SuppressedAddress
from notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db

SIGNING_KEY = "key-test-signing-0123456789abcdef"
BASIC = "mailgun-hook:s3cret-path"
URL = "/webhooks/email/"
ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": BASIC}


@pytest.fixture(autouse=True)
def mailgun_settings():
    with override_settings(EMAIL_TRACKING_ESP="mailgun", ANYMAIL=ANYMAIL):
        yield


def _auth(credentials: str = BASIC) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def _payload(event: str, message_id: str, recipient: str, *, token: str, key=SIGNING_KEY, **extra):
    timestamp = str(int(time.time()))
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "timestamp": float(timestamp),
            "id": "event-" + token[:8],
            "recipient": recipient,
            "message": {"headers": {"message-id": message_id.strip("<>")}},
            **extra,
        },
    }


def _post(client, payload, **headers):
    return client.post(URL, data=json.dumps(payload), content_type="application/json", **headers)


@pytest.fixture
def sent_email(notification_types):
    user = UserFactory()
    notification = notify(
        recipient=user,
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key="hook",
        channels=[Channel.EMAIL],
    )
    row = notification.deliveries.get()
    assert delivery.delivery_send(delivery_id=row.pk) == "sent"
    row.refresh_from_db()
    return row


def test_signed_hard_bounce_marks_bounced_and_suppresses(client, sent_email):
    address = sent_email.notification.recipient.email
    payload = _payload(
        "failed", sent_email.provider_message_id, address, token="a" * 50, severity="permanent"
    )
    response = _post(client, payload, **_auth())
    assert response.status_code == 200
    sent_email.refresh_from_db()
    assert (sent_email.state, sent_email.provider_status) == (Delivery.State.BOUNCED, "bounced")
    assert SuppressedAddress.objects.count() == 1
    assert address not in SuppressedAddress.objects.get().address_digest
    # Later emails to the address are skipped.
    later = notify(
        recipient=sent_email.notification.recipient,
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key="later",
        channels=[Channel.EMAIL],
    ).deliveries.get()
    assert (later.state, later.skip_reason) == (Delivery.State.SKIPPED, "address bounced")


def test_the_same_event_twice_changes_once(client, sent_email):
    payload = _payload("delivered", sent_email.provider_message_id, "x@example.com", token="b" * 50)
    assert _post(client, payload, **_auth()).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.provider_status == "delivered"
    # Something else happens in between; the replay must not undo it.
    Delivery.objects.filter(pk=sent_email.pk).update(provider_status="opened")
    assert _post(client, payload, **_auth()).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.provider_status == "opened"
    assert EmailEvent.objects.count() == 1


def test_complaint_suppresses_the_address(client, sent_email):
    address = sent_email.notification.recipient.email
    payload = _payload("complained", sent_email.provider_message_id, address, token="c" * 50)
    assert _post(client, payload, **_auth()).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.provider_status == "complained"
    assert sent_email.state == Delivery.State.SENT
    assert SuppressedAddress.objects.get().reason == "complained"


def test_temporary_failure_changes_no_state(client, sent_email):
    payload = _payload(
        "failed",
        sent_email.provider_message_id,
        "x@example.com",
        token="d" * 50,
        severity="temporary",
    )
    assert _post(client, payload, **_auth()).status_code == 200
    sent_email.refresh_from_db()
    assert (sent_email.state, sent_email.provider_status) == (Delivery.State.SENT, "deferred")
    assert SuppressedAddress.objects.count() == 0


def test_wrong_signature_is_refused_and_changes_nothing(client, sent_email):
    payload = _payload(
        "failed",
        sent_email.provider_message_id,
        "x@example.com",
        token="e" * 50,
        key="not-the-key",
        severity="permanent",
    )
    response = _post(client, payload, **_auth())
    assert response.status_code in (400, 401, 403)
    sent_email.refresh_from_db()
    assert sent_email.state == Delivery.State.SENT and sent_email.provider_status == ""
    assert EmailEvent.objects.count() == SuppressedAddress.objects.count() == 0


def test_wrong_or_missing_basic_auth_is_refused(client, sent_email):
    payload = _payload(
        "failed",
        sent_email.provider_message_id,
        "x@example.com",
        token="f" * 50,
        severity="permanent",
    )
    assert _post(client, payload, **_auth("mailgun-hook:wrong")).status_code in (400, 401, 403)
    assert _post(client, payload).status_code in (400, 401, 403)
    assert EmailEvent.objects.count() == 0
    sent_email.refresh_from_db()
    assert sent_email.state == Delivery.State.SENT


def test_malformed_body_is_a_400_not_a_500(client, sent_email):
    response = client.post(URL, data="{not json", content_type="application/json", **_auth())
    assert response.status_code == 400


def test_unknown_message_is_stored_and_ignored(client, sent_email):
    payload = _payload("delivered", "<nobody@example.com>", "x@example.com", token="g" * 50)
    assert _post(client, payload, **_auth()).status_code == 200
    assert EmailEvent.objects.get().delivery is None


def test_webhook_is_off_without_its_secrets(client, sent_email):
    with override_settings(ANYMAIL={}):
        payload = _payload(
            "delivered", sent_email.provider_message_id, "x@example.com", token="h" * 50
        )
        assert _post(client, payload, **_auth()).status_code == 404
    assert EmailEvent.objects.count() == 0


def test_real_email_message_id_round_trip(sent_email):
    (message,) = mail.outbox
    assert sent_email.provider_message_id == message.extra_headers["Message-ID"]


POSTMARK = {"WEBHOOK_SECRET": BASIC}


def _postmark(record: dict) -> dict:
    return {"data": json.dumps(record), "content_type": "application/json"}


@pytest.mark.parametrize(
    ("bounce_type", "state", "suppressed"),
    [("HardBounce", Delivery.State.BOUNCED, 1), ("SoftBounce", Delivery.State.SENT, 0)],
)
def test_postmark_bounce_with_basic_auth(client, sent_email, bounce_type, state, suppressed):
    Delivery.objects.filter(pk=sent_email.pk).update(
        provider_message_id="883953f4-6105-42a2-a16a-77a8eac79483"
    )
    record = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": bounce_type,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": sent_email.notification.recipient.email,
        "BouncedAt": "2026-12-07T16:00:00Z",
    }
    with override_settings(EMAIL_TRACKING_ESP="postmark", ANYMAIL=POSTMARK):
        assert client.post(URL, **_postmark(record)).status_code in (400, 401, 403)
        assert EmailEvent.objects.count() == 0
        assert client.post(URL, **_postmark(record), **_auth()).status_code == 200
        assert client.post(URL, **_postmark(record), **_auth()).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.state == state
    assert SuppressedAddress.objects.count() == suppressed
    assert EmailEvent.objects.count() == 1
