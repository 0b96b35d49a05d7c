"""Reading notifications, and the claim re-checking quiet hours when a task runs late."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from notifications import channels, delivery
from notifications.kinds import Channel
from notifications.models import Delivery, Notification
from notifications.selectors import unread_count
from notifications.services import (
    notification_mark_read,
    notification_settings_update,
    notifications_mark_all_read,
    notify,
)
from tests.accounts.factories import UserFactory
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db


def _in_app(user, dedupe):
    return notify(
        recipient=user,
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key=dedupe,
        channels=[Channel.IN_APP],
    )


def test_mark_read_only_ones_own(notification_types, django_capture_on_commit_callbacks):
    user, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        mine = _in_app(user, "a")
        _in_app(user, "b")
        theirs = _in_app(other, "a")
    assert unread_count(user) == 2
    with pytest.raises(Notification.DoesNotExist):
        notification_mark_read(user=user, notification_id=theirs.pk)
    with django_capture_on_commit_callbacks(execute=True):
        read = notification_mark_read(user=user, notification_id=mine.pk)
    assert read.read_at is not None
    assert unread_count(user) == 1
    # Reading again keeps the first time.
    again = notification_mark_read(user=user, notification_id=mine.pk)
    assert again.read_at == read.read_at
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_mark_all_read(user=user) == 1
    assert unread_count(user) == 0
    assert unread_count(other) == 1


def test_a_late_task_in_quiet_hours_holds_the_push(notification_types, monkeypatch):
    sent = []
    monkeypatch.setitem(
        channels._senders, Channel.PUSH, lambda row, rendered: sent.append(row.pk) or "p"
    )
    user = UserFactory(time_zone="Asia/Kolkata")
    push = notify(
        recipient=user,
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key="late",
        channels=[Channel.PUSH],
    ).deliveries.get()
    assert push.state == Delivery.State.PENDING
    # The person turns on quiet hours around now before the task gets to run.
    local = timezone.now().astimezone(ZoneInfo("Asia/Kolkata"))
    end = (local + timedelta(hours=1)).replace(second=0, microsecond=0)
    notification_settings_update(
        user=user,
        quiet_start=(local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=end.time(),
        digest=False,
    )
    assert delivery.delivery_send(delivery_id=push.pk) == "not due"
    push.refresh_from_db()
    assert (push.state, push.next_attempt_at, push.attempts) == (Delivery.State.HELD, end, 0)
    assert sent == []
    # After the quiet hours the re-drive releases it and it is sent.
    monkeypatch.setattr(timezone, "now", lambda: end + timedelta(minutes=1))
    assert delivery.deliveries_redrive() == 1
    assert delivery.delivery_send(delivery_id=push.pk) == "sent"
    assert sent == [push.pk]


@override_settings(EMAIL_BACKEND="anymail.backends.test.EmailBackend", ANYMAIL={})
def test_provider_message_id_comes_from_anymail(notification_types):
    from django.core import mail

    email = notify(
        recipient=UserFactory(),
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key="esp",
        channels=[Channel.EMAIL],
    ).deliveries.get()
    assert delivery.delivery_send(delivery_id=email.pk) == "sent"
    (message,) = mail.outbox
    email.refresh_from_db()
    assert email.provider_message_id == str(message.anymail_status.message_id)
    assert email.provider_message_id != message.extra_headers["Message-ID"]
    assert message.metadata == {"delivery_id": str(email.pk)}


def test_quiet_hours_do_not_hold_email_or_in_app(notification_types):
    user = UserFactory()
    local = timezone.now().astimezone(ZoneInfo("UTC"))
    notification_settings_update(
        user=user,
        quiet_start=(local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=(local + timedelta(hours=1)).time().replace(second=0, microsecond=0),
        digest=False,
    )
    notification = notify(recipient=user, type_key="tests.booked", context=CONTEXT, dedupe_key="q")
    states = dict(notification.deliveries.values_list("channel", "state"))
    assert states == {
        Channel.IN_APP: Delivery.State.SENT,
        Channel.EMAIL: Delivery.State.PENDING,
        Channel.PUSH: Delivery.State.HELD,
    }
