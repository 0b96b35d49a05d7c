"""Sending each delivery exactly once: the claim, retries with back-off, consent checked
at send time, the re-drive, and concurrent task runs on the database."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import channels, delivery
from notifications.channels import ChannelError, ChannelUnavailable
from notifications.kinds import Channel
from notifications.models import ContactPoint, Delivery, Notification
from notifications.services import contact_point_set, notify
from tests.accounts.factories import UserFactory
from tests.concurrency import race
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db


def _queued(user, *, key="tests.reminder", dedupe="booking:7:reminder:1h", channels_=None):
    """A notification whose deliveries are queued but not yet sent (no commit ran)."""
    return notify(
        recipient=user,
        type_key=key,
        context=CONTEXT,
        dedupe_key=dedupe,
        channels=channels_,
    )


def _delivery(notification: Notification, channel: Channel) -> Delivery:
    return notification.deliveries.get(channel=channel)


def test_sent_once_even_when_the_task_runs_again(notification_types):
    email = _delivery(_queued(UserFactory(), channels_=[Channel.EMAIL]), Channel.EMAIL)
    assert delivery.delivery_send(delivery_id=email.pk) == "sent"
    assert delivery.delivery_send(delivery_id=email.pk) == "not due"
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (Delivery.State.SENT, 1)
    assert email.sent_at is not None and email.claimed_at is not None


def test_a_row_left_sending_by_a_dead_worker_is_never_sent_again(notification_types):
    email = _delivery(_queued(UserFactory(), channels_=[Channel.EMAIL]), Channel.EMAIL)
    # The worker claimed it and died before the provider answered.
    Delivery.objects.filter(pk=email.pk).update(
        state=Delivery.State.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=1,
        next_attempt_at=None,
    )
    assert delivery.deliveries_redrive() == 0
    assert delivery.delivery_send(delivery_id=email.pk) == "not due"
    assert mail.outbox == []


@pytest.fixture
def flaky_sms(monkeypatch):
    """An SMS provider that fails the way the test says."""
    calls = []

    def sender(delivery_row, rendered):
        calls.append(delivery_row.pk)
        raise flaky_sms.error

    flaky_sms.error = ChannelError("throttled", retryable=True)
    monkeypatch.setitem(channels._senders, Channel.SMS, sender)
    return flaky_sms


flaky_sms.error = None  # type: ignore[attr-defined]


def test_retryable_failure_backs_off_1_5_30_120_minutes_then_fails_for_good(
    notification_types, flaky_sms, monkeypatch
):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    sms = _delivery(_queued(user, channels_=[Channel.SMS]), Channel.SMS)
    now = timezone.now()
    waits = []
    for attempt in range(1, 6):
        monkeypatch.setattr(timezone, "now", lambda now=now: now)
        if attempt == 1:
            outcome = delivery.delivery_send(delivery_id=sms.pk)
        else:
            assert delivery.deliveries_redrive() == 1
            sms.refresh_from_db()
            assert sms.state == Delivery.State.PENDING
            outcome = delivery.delivery_send(delivery_id=sms.pk)
        sms.refresh_from_db()
        assert sms.attempts == attempt
        assert sms.state == Delivery.State.FAILED
        assert sms.last_error == "throttled"
        if attempt < 5:
            assert outcome == "retry"
            waits.append(sms.next_attempt_at - now)
            # Not yet due a moment before the back-off ends.
            monkeypatch.setattr(
                timezone, "now", lambda at=sms.next_attempt_at: at - timedelta(seconds=1)
            )
            assert delivery.deliveries_redrive() == 0
            now = sms.next_attempt_at
        else:
            assert outcome == "failed"
            assert sms.next_attempt_at is None
    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
    ]
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(days=1))
    assert delivery.deliveries_redrive() == 0


def test_one_failing_channel_does_not_block_the_others(
    notification_types, flaky_sms, django_capture_on_commit_callbacks
):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        notification = _queued(user, channels_=[Channel.SMS, Channel.EMAIL])
    states = dict(notification.deliveries.values_list("channel", "state"))
    assert states == {Channel.SMS: Delivery.State.FAILED, Channel.EMAIL: Delivery.State.SENT}
    assert len(mail.outbox) == 1


def test_non_retryable_failure_fails_at_once(notification_types, flaky_sms):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    sms = _delivery(_queued(user, channels_=[Channel.SMS]), Channel.SMS)
    flaky_sms.error = ChannelError("number unreachable", retryable=False)
    assert delivery.delivery_send(delivery_id=sms.pk) == "failed"
    sms.refresh_from_db()
    assert (sms.state, sms.next_attempt_at, sms.attempts) == (Delivery.State.FAILED, None, 1)


def test_unavailable_channel_is_skipped_with_its_reason(notification_types, monkeypatch):
    def no_subscription(delivery_row, rendered):
        raise ChannelUnavailable("no push subscription")

    monkeypatch.setitem(channels._senders, Channel.PUSH, no_subscription)
    push = _delivery(_queued(UserFactory(), channels_=[Channel.PUSH]), Channel.PUSH)
    assert delivery.delivery_send(delivery_id=push.pk) == "skipped"
    push.refresh_from_db()
    assert (push.state, push.skip_reason) == (Delivery.State.SKIPPED, "no push subscription")


def test_push_gets_a_generic_rendering(notification_types, monkeypatch):
    seen = []
    monkeypatch.setitem(
        channels._senders, Channel.PUSH, lambda row, rendered: seen.append(rendered) or "push-1"
    )
    push = _delivery(_queued(UserFactory(), channels_=[Channel.PUSH]), Channel.PUSH)
    assert delivery.delivery_send(delivery_id=push.pk) == "sent"
    (rendered,) = seen
    assert (rendered.title, rendered.body) == (
        "Booking confirmed",
        "Open Aeyia to see the details.",
    )
    assert "Sam Rivers" not in rendered.title + rendered.body
    push.refresh_from_db()
    assert push.provider_message_id == "push-1"


def test_sms_consent_withdrawn_after_queueing_is_skipped_at_send_time(
    notification_types, sms_outbox
):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    sms = _delivery(_queued(user, channels_=[Channel.SMS]), Channel.SMS)
    # Withdrawn behind the service's back (another process): the sender checks again.
    ContactPoint.objects.filter(user=user).update(sms_opt_in=False)
    assert delivery.delivery_send(delivery_id=sms.pk) == "skipped"
    sms.refresh_from_db()
    assert (sms.state, sms.skip_reason) == (Delivery.State.SKIPPED, "consent withdrawn")
    assert sms_outbox == []


def test_withdrawing_consent_skips_queued_and_held_texts(notification_types, sms_outbox):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    sms = _delivery(_queued(user, channels_=[Channel.SMS]), Channel.SMS)
    contact = contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=False)
    assert contact.sms_withdrawn_at is not None
    sms.refresh_from_db()
    assert (sms.state, sms.skip_reason) == (Delivery.State.SKIPPED, "consent withdrawn")
    assert delivery.delivery_send(delivery_id=sms.pk) == "not due"
    assert sms_outbox == []


def test_redrive_requeues_a_pending_delivery_whose_task_was_lost(
    notification_types, django_capture_on_commit_callbacks
):
    email = _delivery(_queued(UserFactory(), channels_=[Channel.EMAIL]), Channel.EMAIL)
    assert delivery.deliveries_redrive() == 0  # not yet: its own task may still run
    Delivery.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.deliveries_redrive() == 1
    email.refresh_from_db()
    assert email.state == Delivery.State.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_concurrent_task_runs_send_exactly_once(notification_types, sms_outbox, channel):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    # Queued as notify() leaves it, without its after-commit task: the racers send it.
    notification = Notification.objects.create(
        recipient=user,
        type_key="tests.reminder",
        category="reminders",
        dedupe_key="race",
        context=CONTEXT,
    )
    row = Delivery.objects.create(notification=notification, channel=channel)
    outcomes = race([lambda: delivery.delivery_send(delivery_id=row.pk) for _ in range(8)])
    assert outcomes == {"sent": 1, "not due": 7}
    sent = len(mail.outbox) if channel == Channel.EMAIL else len(sms_outbox)
    assert sent == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Delivery.State.SENT, 1)
