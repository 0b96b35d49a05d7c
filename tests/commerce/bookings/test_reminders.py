"""Reminders 24 h and 1 h before, through the notification service: each sent exactly
once per booking, kind and session start, even when the beat task runs twice or two
workers run it at the same moment; SMS only to clients who opted in; online sessions
carry the Join link."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from commerce.bookings.models import Booking
from commerce.bookings.notifications import (
    REMINDER_TYPE,
    booking_notify_cancelled,
    reminder_dedupe_key,
)
from commerce.bookings.tasks import send_due_reminders
from integrations.sms import get_sms_sender
from integrations.sms.local import LocalSmsSender
from integrations.sms.types import SmsError
from notifications.models import ContactPoint, Delivery, Notification, NotificationSettings
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.notification_setup import make_booking, make_service


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
        ContactPoint.objects.create(user=user, phone_number=phone, sms_opt_in=opted_in)
    return user


def reminder_deliveries(channel):
    return Delivery.objects.filter(notification__type_key=REMINDER_TYPE, channel=channel)


@pytest.mark.django_db
def test_the_day_before_reminder_is_sent_once_when_the_task_runs_twice(beat):
    booking = make_booking(starts_at=hours_from_now(23), service=make_service(is_online=False))

    assert beat() == 1
    assert beat() == 0

    [message] = mail.outbox
    assert message.to == [booking.client.email]
    assert message.subject.startswith("Reminder: Reiki with Sam Rivers in 24 hours")
    notification = Notification.objects.get(type_key=REMINDER_TYPE)
    assert notification.recipient == booking.client
    assert notification.dedupe_key == reminder_dedupe_key(booking.pk, "24h", booking.starts_at)
    assert notification.event_at == booking.starts_at
    email = reminder_deliveries("email").get()
    assert email.state == Delivery.State.SENT
    assert email.last_error == ""


@pytest.mark.django_db
def test_an_hour_before_only_the_hour_reminder_is_due(beat):
    booking = make_booking(starts_at=hours_from_now(0.5))

    beat()

    [notification] = Notification.objects.filter(type_key=REMINDER_TYPE)
    assert notification.dedupe_key == reminder_dedupe_key(booking.pk, "1h", booking.starts_at)
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

    assert sorted(
        Notification.objects.filter(type_key=REMINDER_TYPE).values_list("dedupe_key", flat=True)
    ) == sorted(reminder_dedupe_key(booking.pk, kind, booking.starts_at) for kind in ("1h", "24h"))
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
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_sms_only_to_clients_who_opted_in_with_a_number(local_sms, beat):
    service = make_service(is_online=False, location="12 Harley Street, London")
    opted_in = client(phone="+447700900123", opted_in=True)
    # One base time: the four one-hour sessions must not overlap by a second.
    base = hours_from_now(0)
    make_booking(starts_at=base + dt.timedelta(hours=20), service=service, client=opted_in)
    make_booking(
        starts_at=base + dt.timedelta(hours=21),
        service=service,
        client=client(phone="+447700900456", opted_in=False),
    )
    make_booking(
        starts_at=base + dt.timedelta(hours=22), service=service, client=client(opted_in=True)
    )
    make_booking(starts_at=base + dt.timedelta(hours=19), service=service, client=client())

    beat()

    assert len(mail.outbox) == 4
    [sms] = local_sms
    assert sms.to == "+447700900123"
    assert sms.body.startswith("Aeyia reminder: Reiki with Sam Rivers")
    assert sms.body.endswith("12 Harley Street, London.")
    delivery = reminder_deliveries("sms").get(state=Delivery.State.SENT)
    assert delivery.notification.recipient == opted_in
    assert sms.idempotency_key == f"delivery-{delivery.pk}"
    assert delivery.provider_message_id == sms.message_id
    # Nobody else had a text sent or even queued.
    assert (
        not reminder_deliveries("sms")
        .exclude(pk=delivery.pk)
        .filter(state__in=[Delivery.State.SENT, Delivery.State.PENDING, Delivery.State.HELD])
    )
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


@pytest.mark.django_db
@pytest.mark.urls("tests.commerce.bookings.room_urls")
def test_online_reminders_carry_the_join_link_and_when_the_room_opens(local_sms, beat, settings):
    person = client(phone="+447700900123", opted_in=True)
    booking = make_booking(
        starts_at=hours_from_now(0.5), service=make_service(is_online=True), client=person
    )
    room = reverse("room", args=[booking.pk])
    assert room == f"/account/bookings/{booking.pk}/room/"

    beat()

    [message] = mail.outbox
    assert f"Join: {settings.SITE_URL.rstrip('/')}{room}" in message.body
    assert "The room opens 10 minutes before the session starts." in message.body
    [sms] = local_sms
    assert room in sms.body
    assert "opens 10 min before" in sms.body
    assert Notification.objects.get(type_key=REMINDER_TYPE).link == room


class FailingSmsSender:
    def send(self, *, to, body, idempotency_key):
        raise SmsError("SNS refused the SMS: InvalidParameter", code="InvalidParameter")


@pytest.mark.django_db
def test_a_failed_sms_is_recorded_and_does_not_hold_up_the_email(settings, beat):
    settings.SMS_SENDER = f"{__name__}.FailingSmsSender"
    get_sms_sender.cache_clear()
    make_booking(starts_at=hours_from_now(20), client=client(phone="+447700900123", opted_in=True))

    beat()
    beat()

    sms = reminder_deliveries("sms").get()
    assert sms.state == Delivery.State.FAILED
    assert sms.sent_at is None
    assert sms.attempts == 1
    assert sms.last_error == "SNS refused the SMS: InvalidParameter"
    assert reminder_deliveries("email").get().state == Delivery.State.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_booking_cancelled_while_its_text_is_held_for_quiet_hours_is_not_texted(
    local_sms, time_machine, django_capture_on_commit_callbacks
):
    # 23:30 in London, quiet until 07:00; the session is at 21:00 the next evening, so
    # the 24 h reminder's text waits for the morning.
    time_machine.move_to(dt.datetime(2030, 3, 4, 23, 30, tzinfo=dt.UTC), tick=False)
    person = client(phone="+447700900123", opted_in=True, time_zone="Europe/London")
    NotificationSettings.objects.create(user=person, quiet_start=dt.time(22), quiet_end=dt.time(7))
    booking = make_booking(starts_at=dt.datetime(2030, 3, 5, 21, tzinfo=dt.UTC), client=person)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 1
    assert reminder_deliveries("sms").get().state == Delivery.State.HELD

    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        booking_notify_cancelled(booking=booking)

    sms = reminder_deliveries("sms").get()
    assert sms.state == Delivery.State.SKIPPED
    assert sms.skip_reason == "the booking was cancelled"
    time_machine.move_to(dt.datetime(2030, 3, 5, 7, 5, tzinfo=dt.UTC), tick=False)
    from notifications.delivery import deliveries_redrive

    with django_capture_on_commit_callbacks(execute=True):
        deliveries_redrive()
    assert local_sms == []


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
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait(timeout=10)
            send_due_reminders()
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
    assert Notification.objects.filter(type_key=REMINDER_TYPE).count() == 5
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        booking.client.email for booking in bookings
    )
    assert sorted(sms.to for sms in local_sms) == [f"+4477009001{i:02d}" for i in range(5)]
    assert reminder_deliveries("email").filter(state=Delivery.State.SENT).count() == 5
    assert reminder_deliveries("sms").filter(state=Delivery.State.SENT).count() == 5
