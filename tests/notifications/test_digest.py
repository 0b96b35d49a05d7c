"""The daily digest: non-urgent, non-required emails wait for the person's digest hour
and go out together in one email, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import digest
from notifications.kinds import Channel
from notifications.models import Delivery
from notifications.services import notification_settings_update, notify
from notifications.webhooks import address_suppress
from tests.accounts.factories import UserFactory
from tests.concurrency import race
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db


def _digest_user(**kwargs):
    user = UserFactory(time_zone="Europe/Paris", **kwargs)
    notification_settings_update(
        user=user, quiet_start=None, quiet_end=None, digest=True, digest_hour=18
    )
    return user


def _send(user, key, dedupe, link=""):
    return notify(
        recipient=user,
        type_key=key,
        context=CONTEXT,
        dedupe_key=dedupe,
        link=link,
        channels=[Channel.EMAIL, Channel.IN_APP],
    )


def _email(notification):
    return notification.deliveries.get(channel=Channel.EMAIL)


def _make_due():
    Delivery.objects.filter(in_digest=True).update(
        next_attempt_at=timezone.now() - timedelta(minutes=1)
    )


def test_digestible_emails_wait_and_urgent_or_required_ones_do_not(notification_types):
    user = _digest_user()
    booked = _send(user, "tests.booked", "b1")
    reminder = _send(user, "tests.reminder", "r1")  # urgent
    receipt = _send(user, "tests.receipt", "p1")  # required
    held = _email(booked)
    assert (held.state, held.in_digest) == (Delivery.State.HELD, True)
    local = held.next_attempt_at.astimezone(held.notification.recipient and _zone(user))
    assert (local.hour, local.minute) == (18, 0)
    assert held.next_attempt_at > timezone.now()
    assert _email(reminder).state == _email(receipt).state == Delivery.State.PENDING
    # The in-app side is not held.
    assert booked.deliveries.get(channel=Channel.IN_APP).state == Delivery.State.SENT


def _zone(user):
    from zoneinfo import ZoneInfo

    return ZoneInfo(user.time_zone)


def test_one_digest_email_lists_them_and_is_sent_once(notification_types):
    user = _digest_user()
    first = _send(user, "tests.booked", "b1", link="/account/bookings/1/")
    second = _send(user, "tests.booked", "b2", link="/account/bookings/2/")
    other = _digest_user()
    _send(other, "tests.booked", "b3")
    assert digest.digests_send() == 0  # not yet their digest hour
    _make_due()
    assert digest.digests_send() == 2
    assert digest.digests_send() == 0
    assert len(mail.outbox) == 2
    (message,) = [message for message in mail.outbox if message.to == [user.email]]
    assert message.subject == "Your Aeyia update: 2 new notifications"
    assert message.body.count("Your session with Sam Rivers is booked") == 2
    assert "/account/bookings/2/" in message.body
    html = message.alternatives[0][0]
    assert "Manage notifications" in html and "/account/bookings/1/" in html
    for notification in (first, second):
        email = _email(notification)
        assert email.state == Delivery.State.SENT
        assert email.provider_message_id == message.extra_headers["Message-ID"]


def test_a_failed_digest_waits_for_the_next_run(notification_types, monkeypatch):
    user = _digest_user()
    _send(user, "tests.booked", "b1")
    _make_due()

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(digest, "_send", broken)
    assert digest.digest_send(user_id=user.pk) == "retry"
    row = Delivery.objects.get(channel=Channel.EMAIL)
    assert (row.state, row.attempts) == (Delivery.State.HELD, 1)
    assert row.next_attempt_at > timezone.now()
    assert "SMTP down" in row.last_error


def test_a_bounced_address_gets_no_digest(notification_types):
    user = _digest_user()
    _send(user, "tests.booked", "b1")
    address_suppress(address=user.email.upper(), reason="bounced")
    _make_due()
    assert digest.digest_send(user_id=user.pk) == "skipped"
    assert mail.outbox == []
    assert Delivery.objects.get(channel=Channel.EMAIL).skip_reason == "address bounced"


@pytest.mark.django_db(transaction=True)
def test_concurrent_digest_runs_send_one_email(notification_types):
    from django.db import connection

    user = _digest_user()
    for index in range(3):
        _send(user, "tests.booked", f"b{index}")
    mail.outbox.clear()
    _make_due()
    outcomes = race([lambda: digest.digest_send(user_id=user.pk) for _ in range(6)])
    if connection.vendor == "postgresql":
        assert outcomes == {"sent": 1, "nothing due": 5}
    assert len(mail.outbox) == 1
