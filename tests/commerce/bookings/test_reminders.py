"""Reminders 24 h and 1 h before: each sent exactly once, even when the beat task runs
twice or two workers run it at the same moment; SMS only to clients who opted in."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from commerce.bookings.contact import ClientContactPreference
from commerce.bookings.models import Booking
from commerce.bookings.reminders import BookingReminder
from commerce.bookings.tasks import send_due_reminders
from integrations.sms import get_sms_sender
from integrations.sms.local import LocalSmsSender
from integrations.sms.types import SmsError
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.notification_setup import make_booking, make_service

Kind = BookingReminder.Kind
Channel = BookingReminder.Channel


@pytest.fixture(autouse=True)
def local_sms(settings):
    settings.SMS_SENDER = "integrations.sms.local.LocalSmsSender"
    get_sms_sender.cache_clear()
    LocalSmsSender.reset()
    yield LocalSmsSender.outbox
    LocalSmsSender.reset()
    get_sms_sender.cache_clear()


@pytest.fixture
def beat(django_capture_on_commit_callbacks):
    """Runs the beat task the way a worker does: its on-commit deliveries included
    (the test's own transaction never commits)."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return send_due_reminders()

    return run


def hours_from_now(hours: float) -> dt.datetime:
    return (timezone.now() + dt.timedelta(hours=hours)).replace(microsecond=0)


def client(*, phone="", opted_in=False, **fields):
    user = UserFactory(**fields)
    if phone or opted_in:
        ClientContactPreference.objects.create(user=user, phone_number=phone, sms_opt_in=opted_in)
    return user


@pytest.mark.django_db
def test_the_day_before_reminder_is_sent_once_when_the_task_runs_twice(beat):
    booking = make_booking(starts_at=hours_from_now(23))

    assert beat() == 1
    assert beat() == 0

    [message] = mail.outbox
    assert message.to == [booking.client.email]
    assert message.subject.startswith("Reminder: Reiki with Sam Rivers in 24 hours")
    reminder = BookingReminder.objects.get()
    assert (reminder.kind, reminder.channel) == (Kind.DAY_BEFORE, Channel.EMAIL)
    assert reminder.sent_at is not None
    assert reminder.error == ""


@pytest.mark.django_db
def test_an_hour_before_only_the_hour_reminder_is_due(beat):
    make_booking(starts_at=hours_from_now(0.5))

    beat()

    assert list(BookingReminder.objects.values_list("kind", flat=True)) == [Kind.HOUR_BEFORE]
    assert "in an hour" in mail.outbox[0].subject


@pytest.mark.django_db
def test_both_reminders_over_a_bookings_last_day(time_machine, beat):
    booking = make_booking(starts_at=hours_from_now(30))
    time_machine.move_to(booking.starts_at - dt.timedelta(hours=23), tick=False)
    beat()
    time_machine.move_to(booking.starts_at - dt.timedelta(minutes=55), tick=False)
    beat()
    time_machine.move_to(booking.starts_at - dt.timedelta(minutes=50), tick=False)
    beat()

    assert sorted(BookingReminder.objects.values_list("kind", flat=True)) == ["1h", "24h"]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_nothing_for_bookings_outside_the_windows_or_not_confirmed(beat):
    service = make_service()
    make_booking(starts_at=hours_from_now(30), service=service)
    make_booking(starts_at=hours_from_now(20), service=service, status=Booking.Status.HELD)
    make_booking(starts_at=hours_from_now(10), service=service, status=Booking.Status.CANCELLED)
    # Booked an hour ago for five hours from now: its confirmation was the reminder.
    make_booking(starts_at=hours_from_now(5), service=service, confirmed_at=hours_from_now(-1))

    assert beat() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_sms_only_to_clients_who_opted_in_with_a_number(local_sms, beat):
    service = make_service()
    opted_in = client(phone="+447700900123", opted_in=True)
    make_booking(starts_at=hours_from_now(20), service=service, client=opted_in)
    make_booking(
        starts_at=hours_from_now(21),
        service=service,
        client=client(phone="+447700900456", opted_in=False),
    )
    make_booking(starts_at=hours_from_now(22), service=service, client=client(opted_in=True))
    make_booking(starts_at=hours_from_now(19), service=service, client=client())

    beat()

    assert len(mail.outbox) == 4
    [sms] = local_sms
    assert sms.to == "+447700900123"
    assert sms.body.startswith("Aeyia reminder: Reiki with Sam Rivers")
    reminder = BookingReminder.objects.get(channel=Channel.SMS)
    assert sms.idempotency_key == f"booking-reminder-{reminder.pk}"
    assert reminder.provider_message_id == sms.message_id
    assert beat() == 0
    assert len(local_sms) == 1


@pytest.mark.django_db
def test_sms_shows_the_time_in_the_clients_zone(local_sms, beat):
    person = client(phone="+15555550100", opted_in=True, time_zone="America/New_York")
    booking = make_booking(starts_at=hours_from_now(20), client=person)

    beat()

    local = booking.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}" in local_sms[0].body
    assert local.strftime("%Z") in local_sms[0].body


class FailingSmsSender:
    def send(self, *, to, body, idempotency_key):
        raise SmsError("SNS refused the SMS: InvalidParameter", code="InvalidParameter")


@pytest.mark.django_db
def test_a_failed_sms_is_recorded_and_not_retried(settings, beat):
    settings.SMS_SENDER = f"{__name__}.FailingSmsSender"
    get_sms_sender.cache_clear()
    make_booking(starts_at=hours_from_now(20), client=client(phone="+447700900123", opted_in=True))

    beat()
    beat()

    reminder = BookingReminder.objects.get(channel=Channel.SMS)
    assert reminder.sent_at is None
    assert reminder.attempted_at is not None
    assert reminder.error == "SmsError: SNS refused the SMS: InvalidParameter"
    assert BookingReminder.objects.get(channel=Channel.EMAIL).sent_at is not None


@pytest.mark.django_db
def test_a_claim_whose_delivery_never_started_is_enqueued_again(beat):
    booking = make_booking(starts_at=hours_from_now(20))
    reminder = BookingReminder.objects.create(
        booking=booking,
        kind=Kind.DAY_BEFORE,
        channel=Channel.EMAIL,
        for_starts_at=booking.starts_at,
    )
    BookingReminder.objects.filter(pk=reminder.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=15)
    )

    assert beat() == 1
    assert beat() == 0

    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.sent_at is not None


@pytest.mark.django_db
def test_a_booking_cancelled_after_the_claim_is_skipped():
    from commerce.bookings.notifications import booking_reminder_deliver

    booking = make_booking(starts_at=hours_from_now(20))
    reminder = BookingReminder.objects.create(
        booking=booking,
        kind=Kind.DAY_BEFORE,
        channel=Channel.EMAIL,
        for_starts_at=booking.starts_at,
    )
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)

    assert booking_reminder_deliver(reminder_id=reminder.pk) is False
    assert booking_reminder_deliver(reminder_id=reminder.pk) is False

    reminder.refresh_from_db()
    assert reminder.error.startswith("ReminderSkipped: booking is cancelled")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_each_reminder_once(local_sms):
    service = make_service()
    bookings = [
        make_booking(
            starts_at=hours_from_now(20 + index),
            service=service,
            client=client(phone=f"+4477009001{index:02d}", opted_in=True),
        )
        for index in range(5)
    ]
    workers = 2
    barrier = threading.Barrier(workers)
    enqueued: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait(timeout=10)
            enqueued.append(send_due_reminders())
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(enqueued) == 10
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        booking.client.email for booking in bookings
    )
    assert sorted(sms.to for sms in local_sms) == [f"+4477009001{i:02d}" for i in range(5)]
    assert BookingReminder.objects.filter(sent_at__isnull=False).count() == 10
