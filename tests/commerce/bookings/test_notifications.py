"""Booking notices through the notification service: created in the booking's
transaction, sent after commit, once per booking, event and sequence, with an .ics, in
each recipient's zone."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from commerce.bookings.models import Booking
from commerce.bookings.notifications import (
    booking_notify_cancelled,
    booking_notify_confirmed,
    booking_notify_rescheduled,
)
from commerce.bookings.tasks import send_booking_notice
from notifications.models import Delivery, Notification
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.notification_setup import (
    calendar_attachment,
    make_booking,
    make_service,
    only_event,
)

pytestmark = pytest.mark.django_db

# 15:00 UTC: 10:00 in New York (EST), 02:00 the next day in Sydney (AEDT).
STARTS = dt.datetime(2030, 1, 7, 15, tzinfo=dt.UTC)


@pytest.fixture
def booking():
    service = make_service(practitioner_zone="Australia/Sydney")
    client = UserFactory(first_name="Alex", last_name="Morgan", time_zone="America/New_York")
    return make_booking(starts_at=STARTS, service=service, client=client)


def by_recipient(booking):
    client, practitioner = booking.client.email, booking.practitioner.user.email
    messages = {message.to[0]: message for message in mail.outbox}
    assert set(messages) == {client, practitioner}
    return messages[client], messages[practitioner]


def notify(callback, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            callback(**kwargs)
    return callbacks


def test_confirmation_to_the_client_and_notice_to_the_practitioner(
    booking, django_capture_on_commit_callbacks
):
    notify(booking_notify_confirmed, django_capture_on_commit_callbacks, booking=booking)

    to_client, to_practitioner = by_recipient(booking)
    assert to_client.subject == "Booked: Reiki with Sam Rivers, Mon 7 Jan, 10:00 EST"
    assert "When: Monday 7 January 2030, 10:00–11:00 (America/New_York)" in to_client.body
    assert to_practitioner.subject == "New booking: Reiki with Alex M., Tue 8 Jan, 02:00 AEDT"
    assert "When: Tuesday 8 January 2030, 02:00–03:00 (Australia/Sydney)" in to_practitioner.body
    for message in (to_client, to_practitioner):
        part, calendar = calendar_attachment(message)
        assert part.get_param("method") == "REQUEST"
        assert part.get_filename() == "booking.ics"
        event = only_event(calendar)
        assert calendar["METHOD"] == "REQUEST"
        assert event.decoded("DTSTART") == STARTS
        assert str(event["UID"]).startswith(f"booking-{booking.pk}@")
        assert str(event["ATTENDEE"]) == f"mailto:{message.to[0]}"
    assert str(only_event(calendar_attachment(to_client)[1])["SUMMARY"]) == "Reiki with Sam Rivers"
    assert (
        str(only_event(calendar_attachment(to_practitioner)[1])["SUMMARY"]) == "Reiki with Alex M."
    )


def test_nothing_is_sent_when_the_transaction_rolls_back(
    booking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            booking_notify_confirmed(booking=booking)
            raise RuntimeError("payment failed")

    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_the_task_running_twice_sends_each_email_once(booking, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_booking_notice(booking.pk, "confirmed") == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert send_booking_notice(booking.pk, "confirmed") == 0

    assert len(mail.outbox) == 2
    emails = Delivery.objects.filter(
        notification__dedupe_key__startswith=f"booking:{booking.pk}:confirmed:", channel="email"
    )
    assert sorted(emails.values_list("state", flat=True)) == ["sent", "sent"]
    assert sorted(emails.values_list("notification__recipient__email", flat=True)) == sorted(
        [booking.client.email, booking.practitioner.user.email]
    )


def test_the_hook_called_twice_in_one_transaction_notifies_once(
    booking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            booking_notify_confirmed(booking=booking)
            booking_notify_confirmed(booking=booking)

    assert len(mail.outbox) == 2
    assert Notification.objects.filter(dedupe_key__startswith=f"booking:{booking.pk}:").count() == 2


def test_cancellation_to_both_removes_the_calendar_entry(
    booking, django_capture_on_commit_callbacks
):
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CANCELLED, refund_percent=100
    )
    booking.refresh_from_db()

    notify(booking_notify_cancelled, django_capture_on_commit_callbacks, booking=booking)

    to_client, to_practitioner = by_recipient(booking)
    assert to_client.subject.startswith("Cancelled: Reiki with Sam Rivers")
    assert "Refund: 100%" in to_client.body
    assert "Was: Tuesday 8 January 2030, 02:00–03:00 (Australia/Sydney)" in to_practitioner.body
    for message in (to_client, to_practitioner):
        part, calendar = calendar_attachment(message)
        assert part.get_param("method") == "CANCEL"
        assert calendar["METHOD"] == "CANCEL"
        assert str(only_event(calendar)["STATUS"]) == "CANCELLED"


def test_a_released_hold_sends_no_cancellation(django_capture_on_commit_callbacks):
    hold = make_booking(starts_at=STARTS, status=Booking.Status.HELD)
    Booking.objects.filter(pk=hold.pk).update(status=Booking.Status.CANCELLED)

    notify(booking_notify_cancelled, django_capture_on_commit_callbacks, booking=hold)

    assert mail.outbox == []


def test_a_confirmation_for_a_booking_cancelled_since_is_not_sent(booking):
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)

    assert send_booking_notice(booking.pk, "confirmed") == 0
    assert mail.outbox == []


def test_reschedule_to_both_with_the_old_and_new_times(booking, django_capture_on_commit_callbacks):
    previous = booking.starts_at
    moved = STARTS + dt.timedelta(days=2)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=moved,
        ends_at=moved + dt.timedelta(hours=1),
        blocked_start=moved,
        blocked_end=moved + dt.timedelta(hours=1),
        updated_at=booking.updated_at + dt.timedelta(minutes=1),
    )
    booking.refresh_from_db()

    notify(
        booking_notify_rescheduled,
        django_capture_on_commit_callbacks,
        booking=booking,
        previous_starts_at=previous,
    )

    to_client, to_practitioner = by_recipient(booking)
    assert "Now: Wednesday 9 January 2030, 10:00–11:00 (America/New_York)" in to_client.body
    assert "Was: Monday 7 January 2030, 10:00 (America/New_York)" in to_client.body
    assert "Now: Thursday 10 January 2030, 02:00–03:00 (Australia/Sydney)" in to_practitioner.body
    assert "Was: Tuesday 8 January 2030, 02:00 (Australia/Sydney)" in to_practitioner.body
    event = only_event(calendar_attachment(to_client)[1])
    assert event.decoded("DTSTART") == moved


def test_a_failed_email_is_recorded_and_retried_later_not_at_once(
    booking, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, fail_silently=False):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_booking_notice(booking.pk, "confirmed") == 2
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_booking_notice(booking.pk, "confirmed") == 0

    emails = Delivery.objects.filter(
        notification__dedupe_key__startswith=f"booking:{booking.pk}:", channel="email"
    )
    assert emails.count() == 2
    for delivery in emails:
        assert delivery.state == Delivery.State.FAILED
        assert delivery.last_error == "ConnectionError: mail server down"
        assert delivery.attempts == 1
        # The back-off decides when; running the booking task again does not resend.
        assert delivery.next_attempt_at is not None
    assert mail.outbox == []
