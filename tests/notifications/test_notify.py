"""notify(): one notification per key, one delivery per wanted channel, nothing sent
until the caller's transaction commits."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import User
from notifications.kinds import Channel
from notifications.models import Delivery, Notification
from notifications.selectors import notifications_for, unread_count
from notifications.services import contact_point_set, notify
from tests.accounts.factories import UserFactory
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db


def _notify(
    user: User | None, key: str = "tests.booked", dedupe: str = "booking:1:confirmed", **kw
):
    return notify(
        recipient=user,
        type_key=key,
        context=CONTEXT,
        dedupe_key=dedupe,
        link="/account/bookings/1/",
        **kw,
    )


def _states(notification: Notification) -> dict[str, str]:
    return dict(notification.deliveries.values_list("channel", "state"))


def test_defaults_create_in_app_email_and_push_for_a_booking(notification_types):
    user = UserFactory()
    notification = _notify(user)
    assert _states(notification) == {
        Channel.IN_APP: Delivery.State.SENT,
        Channel.EMAIL: Delivery.State.PENDING,
        Channel.PUSH: Delivery.State.PENDING,
    }
    assert notification.title == "Booking confirmed"
    assert notification.body == "Your session with Sam Rivers is booked."
    assert notification.category == "bookings"


def test_context_title_and_body_are_encrypted_at_rest(notification_types):
    from django.db import connection

    notification = _notify(UserFactory())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT context, title, body FROM notifications_notification WHERE id = %s",
            [notification.pk],
        )
        row = cursor.fetchone()
    assert all("Sam Rivers" not in value for value in row)
    assert Notification.objects.get(pk=notification.pk).context == CONTEXT


def test_same_dedupe_key_returns_the_first_and_creates_nothing(notification_types):
    user = UserFactory()
    first = _notify(user)
    second = _notify(user)
    assert second.pk == first.pk
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 3
    other = _notify(user, dedupe="booking:1:confirmed:seq2")
    assert other.pk != first.pk


def test_email_only_recipient_gets_email_only(notification_types):
    notification = _notify(None, email="Lead@Example.com")
    assert _states(notification) == {Channel.EMAIL: Delivery.State.PENDING}
    again = _notify(None, email="lead@example.com")
    assert again.pk == notification.pk


def test_a_recipient_or_an_email_is_needed(notification_types):
    with pytest.raises(ValueError, match="recipient or an email"):
        _notify(None)


def test_unknown_type_is_a_key_error():
    with pytest.raises(KeyError):
        _notify(UserFactory(), key="tests.nope")


def test_channels_argument_narrows_the_channels(notification_types):
    notification = _notify(UserFactory(), channels=[Channel.EMAIL, Channel.SMS])
    assert _states(notification) == {Channel.EMAIL: Delivery.State.PENDING}


def test_a_type_without_a_channel_template_does_not_use_it(notification_types):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    notification = _notify(user, key="tests.receipt")
    # The receipt has in-app and email templates only.
    assert set(_states(notification)) == {Channel.IN_APP, Channel.EMAIL}


def test_sent_after_commit_only(notification_types, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(user, channels=[Channel.EMAIL, Channel.IN_APP])
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "Your session with Sam Rivers is booked"
    assert "Tuesday 10:00" in message.body
    html = message.alternatives[0][0]
    assert "Manage notifications" in html and "/account/notifications/settings/" in html
    assert message.attachments[0][0] == "session.ics"
    assert message.extra_headers["X-Aeyia-Test"] == "booking:1:confirmed"
    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert email.state == Delivery.State.SENT
    assert email.provider_message_id == message.extra_headers["Message-ID"]
    assert email.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_rollback_sends_nothing(notification_types):
    user = UserFactory()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        _notify(user)
        raise Abort
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_commit_sends_each_channel_once(notification_types, sms_outbox):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    with transaction.atomic():
        notification = _notify(user, key="tests.reminder", dedupe="booking:1:reminder:24h")
    assert len(mail.outbox) == 1
    assert [sms.to for sms in sms_outbox] == ["+447700900123"]
    assert (
        sms_outbox[0].idempotency_key == f"delivery-{notification.deliveries.get(channel='sms').pk}"
    )
    states = _states(notification)
    assert states[Channel.EMAIL] == states[Channel.SMS] == Delivery.State.SENT
    # No push subscription service here: skipped, never retried.
    assert states[Channel.PUSH] == Delivery.State.SKIPPED


def test_unread_count_is_cached_and_invalidated(
    notification_types, django_capture_on_commit_callbacks, django_assert_num_queries
):
    user = UserFactory()
    assert unread_count(user) == 0
    with django_assert_num_queries(0):
        assert unread_count(user) == 0
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user, channels=[Channel.IN_APP])
    assert unread_count(user) == 1
    assert list(notifications_for(user).values_list("title", flat=True)) == ["Booking confirmed"]
