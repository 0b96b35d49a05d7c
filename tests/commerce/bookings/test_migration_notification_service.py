"""bookings.0006_notification_service: SMS consent moves to notifications.ContactPoint
with its evidence, and reminder claims for sessions still ahead become notifications with
the dedupe key the beat now uses, so nobody is reminded twice across the upgrade."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from commerce.bookings.notifications import REMINDER_TYPE, reminder_dedupe_key
from commerce.bookings.tasks import send_due_reminders
from notifications.models import ContactPoint, Delivery, Notification
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.notification_setup import make_booking

BEFORE = [("bookings", "0005_sms_consent_times"), ("notifications", "0001_initial")]
AFTER = [("bookings", "0006_notification_service")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    """The schema just before the migration; the latest schema again afterwards."""
    apps = _migrate(BEFORE)
    yield apps
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_consent_is_copied_and_reminder_claims_are_carried_over(
    old_apps, django_capture_on_commit_callbacks
):
    consent_at = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    withdrawn_at = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
    texting, withdrawn, already = UserFactory(), UserFactory(), UserFactory()
    booking = make_booking(
        starts_at=(timezone.now() + dt.timedelta(hours=20)).replace(microsecond=0)
    )
    past = make_booking(starts_at=(timezone.now() - dt.timedelta(days=3)).replace(microsecond=0))

    Preference = old_apps.get_model("bookings", "ClientContactPreference")
    Preference.objects.create(
        user_id=texting.pk,
        phone_number="+447700900123",
        sms_opt_in=True,
        sms_opted_in_at=consent_at,
    )
    Preference.objects.create(
        user_id=withdrawn.pk,
        phone_number="+447700900456",
        sms_opt_in=False,
        sms_opted_in_at=consent_at,
        sms_opted_out_at=withdrawn_at,
    )
    Preference.objects.create(user_id=already.pk, phone_number="+447700900789", sms_opt_in=True)
    old_apps.get_model("notifications", "ContactPoint").objects.create(
        user_id=already.pk, phone_number="+15555550100", sms_opt_in=False
    )
    Reminder = old_apps.get_model("bookings", "BookingReminder")
    sent_at = timezone.now() - dt.timedelta(hours=2)
    for channel in ("email", "sms"):
        Reminder.objects.create(
            booking_id=booking.pk,
            kind="24h",
            channel=channel,
            for_starts_at=booking.starts_at,
            attempted_at=sent_at,
            sent_at=sent_at if channel == "email" else None,
            error="" if channel == "email" else "SmsError: refused",
        )
    Reminder.objects.create(
        booking_id=past.pk,
        kind="1h",
        channel="email",
        for_starts_at=past.starts_at,
        attempted_at=sent_at,
        sent_at=sent_at,
    )

    _migrate(AFTER)

    copied = ContactPoint.objects.get(user=texting)
    assert (copied.phone_number, copied.sms_opt_in, copied.sms_consent_at) == (
        "+447700900123",
        True,
        consent_at,
    )
    gone = ContactPoint.objects.get(user=withdrawn)
    assert (gone.sms_opt_in, gone.sms_withdrawn_at) == (False, withdrawn_at)
    assert ContactPoint.objects.get(user=already).phone_number == "+15555550100"

    [carried] = Notification.objects.filter(type_key=REMINDER_TYPE)
    assert carried.dedupe_key == reminder_dedupe_key(booking.pk, "24h", booking.starts_at)
    assert carried.recipient_id == booking.client_id
    assert carried.read_at is not None
    states = dict(carried.deliveries.values_list("channel", "state"))
    assert states == {"email": Delivery.State.SENT, "sms": Delivery.State.FAILED}

    # The beat after the upgrade does not remind the client again.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 0
