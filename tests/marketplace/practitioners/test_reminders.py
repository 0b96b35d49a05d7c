"""Reminders before a licence or insurance expires: at each configured lead, exactly
once even when the daily task runs twice, the nearest lead only after a missed run, and
one notice when it has expired. Sent through the notification service (decision 0038)
after the claiming transaction commits."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import TestCase

from marketplace.practitioners.models import Credential, CredentialReminder, PractitionerProfile
from marketplace.practitioners.services import credential_reminders_send as send_due
from marketplace.practitioners.tasks import send_credential_reminders
from notifications.delivery import deliveries_redrive
from notifications.models import Delivery
from tests.marketplace.practitioners.factories import CredentialFactory, PractitionerProfileFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _leads(settings):
    settings.CREDENTIAL_REMINDER_DAYS = [30, 7]


def credential_reminders_send(**kwargs) -> int:
    """Runs the service the way the daily task does: its emails go out once the claim
    commits (the test's own transaction never does)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return send_due(**kwargs)


def licence(days_left: int, **fields) -> Credential:
    practitioner = fields.pop("practitioner", None) or PractitionerProfileFactory(
        user__email="lee@example.org"
    )
    return CredentialFactory(
        practitioner=practitioner, expires_on=TODAY + dt.timedelta(days=days_left), **fields
    )


def test_each_lead_is_sent_once_even_when_the_task_runs_twice():
    credential = licence(30)

    assert credential_reminders_send(today=TODAY) == 1
    assert credential_reminders_send(today=TODAY) == 0
    assert credential_reminders_send(today=TODAY + dt.timedelta(days=1)) == 0
    assert credential_reminders_send(today=TODAY + dt.timedelta(days=23)) == 1
    assert credential_reminders_send(today=TODAY + dt.timedelta(days=23)) == 0

    assert [message.subject for message in mail.outbox] == [
        "Your licence or registration expires in 30 days",
        "Your licence or registration expires in 7 days",
    ]
    assert mail.outbox[0].to == ["lee@example.org"]
    assert "clients will not be able to find or book you" in mail.outbox[0].body
    assert "/dashboard/practice/onboarding/credentials/" in mail.outbox[0].body
    assert set(CredentialReminder.objects.values_list("days_before", flat=True)) == {30, 7}
    assert CredentialReminder.objects.filter(credential=credential).count() == 2


def test_a_missed_run_sends_only_the_nearest_lead():
    licence(5)
    assert credential_reminders_send(today=TODAY) == 1
    assert mail.outbox[0].subject.endswith("in 5 days")
    assert list(CredentialReminder.objects.values_list("days_before", flat=True)) == [7]


def test_nothing_is_due_beyond_the_longest_lead():
    licence(31)
    assert credential_reminders_send(today=TODAY) == 0


def test_an_expired_licence_gets_one_notice():
    licence(-2)
    assert credential_reminders_send(today=TODAY) == 1
    assert credential_reminders_send(today=TODAY + dt.timedelta(days=1)) == 0
    assert mail.outbox[0].subject == "Your licence or registration has expired"
    assert "clients cannot find or book you" in mail.outbox[0].body


def test_a_renewal_gets_its_own_reminders():
    credential = licence(7)
    credential_reminders_send(today=TODAY)
    Credential.objects.filter(pk=credential.pk).update(
        expires_on=TODAY + dt.timedelta(days=7 + 365)
    )
    assert credential_reminders_send(today=TODAY + dt.timedelta(days=365)) == 1


def test_insurance_is_reminded_qualifications_and_drafts_are_not():
    practitioner = PractitionerProfileFactory()
    licence(
        7,
        practitioner=practitioner,
        kind=Credential.Kind.INSURANCE,
        title="Professional indemnity",
    )
    licence(7, practitioner=practitioner, kind=Credential.Kind.QUALIFICATION)
    licence(7, practitioner=PractitionerProfileFactory(status=PractitionerProfile.Status.DRAFT))
    assert credential_reminders_send(today=TODAY) == 1
    assert mail.outbox[0].subject == "Your insurance expires in 7 days"


def test_a_failed_send_is_retried_with_back_off_and_not_claimed_twice(
    monkeypatch, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(dt.datetime(2026, 3, 1, 7, tzinfo=dt.UTC), tick=False)
    licence(7)

    def refuse(self, fail_silently=False):
        raise ConnectionError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", refuse)
        assert credential_reminders_send(today=TODAY) == 1
    assert mail.outbox == []
    email = Delivery.objects.get(
        notification__type_key="practitioners.credential_expiry", channel="email"
    )
    assert email.state == Delivery.State.FAILED
    assert email.last_error == "ConnectionError: mail server down"
    # The next daily run does not claim it again: the delivery owns the retry.
    assert credential_reminders_send(today=TODAY) == 0
    assert CredentialReminder.objects.count() == 1

    time_machine.move_to(dt.datetime(2026, 3, 1, 7, 2, tzinfo=dt.UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_redrive() == 1
    [message] = mail.outbox
    assert message.subject == "Your licence or registration expires in 7 days"
    email.refresh_from_db()
    assert email.state == Delivery.State.SENT


def test_the_daily_task_calls_the_service(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 7, 10, tzinfo=dt.UTC))
    licence(30)
    assert send_credential_reminders.delay().get() == 1
