"""The 24 h "complete your intake" email: once per booking however often beat runs, not
when the intake is done or the booking cancelled, and never with a question or answer."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from commerce.bookings.models import Booking
from marketplace.clients.intake import services
from marketplace.clients.intake.models import IntakeReminder
from marketplace.clients.intake.tasks import send_intake_reminders
from tests.marketplace.clients.intake.support import good_answers, intake_setup

pytestmark = pytest.mark.django_db


def run_beat(capture, *, now=None):
    with capture(execute=True):
        return services.intake_reminders_due(now=now)


def test_a_reminder_goes_once_for_an_intake_not_done(django_capture_on_commit_callbacks):
    setup = intake_setup(starts_in=dt.timedelta(hours=20))
    far = intake_setup(starts_in=dt.timedelta(hours=30))  # not yet due

    assert run_beat(django_capture_on_commit_callbacks) == 1
    assert run_beat(django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_intake_reminders() == 0

    [message] = mail.outbox
    assert message.to == [setup.client.email]
    assert "intake" in message.subject.lower()
    assert f"/account/care/{setup.record.pk}/intake/{setup.booking.pk}/" in message.body
    for question in services.latest_version(setup.form).questions:
        assert question["label"] not in message.body
    reminder = IntakeReminder.objects.get()
    assert reminder.booking_id == setup.booking.pk and reminder.sent_at is not None
    assert not IntakeReminder.objects.filter(booking_id=far.booking.pk).exists()


def test_no_reminder_when_done_or_cancelled(django_capture_on_commit_callbacks):
    done = intake_setup(starts_in=dt.timedelta(hours=10))
    services.intake_response_submit(
        record=done.record,
        user=done.client,
        booking_id=done.booking.pk,
        raw_answers=good_answers(done.form),
    )
    cancelled = intake_setup(starts_in=dt.timedelta(hours=10))
    Booking.objects.filter(pk=cancelled.booking.pk).update(status=Booking.Status.CANCELLED)

    assert run_beat(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_claimed_reminder_is_not_sent_if_the_intake_was_done_meanwhile(
    django_capture_on_commit_callbacks,
):
    setup = intake_setup(starts_in=dt.timedelta(hours=5))
    with django_capture_on_commit_callbacks(execute=False):
        services.intake_reminders_due()
    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form),
    )

    reminder = services.intake_reminder_send(reminder_id=IntakeReminder.objects.get().pk)
    again = services.intake_reminder_send(reminder_id=reminder.pk, now=timezone.now())

    assert reminder.sent_at is None and "no longer needed" in reminder.error
    assert again.sent_at is None
    assert mail.outbox == []
