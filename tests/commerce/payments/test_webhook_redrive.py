"""Beat re-drives stored Stripe events left received (their processing job never ran) or
failed, with back-off and a bounded number of attempts, and still processes each once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.credits.selectors import credits_balance
from commerce.payments.models import WebhookEvent
from commerce.payments.tasks import redrive_webhook_events
from commerce.payments.webhooks import webhook_events_redrive
from events import backoff
from tests.commerce.payments import events
from tests.commerce.payments.factories import CreditPackPaymentFactory

pytestmark = pytest.mark.django_db


def _due_now():
    WebhookEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_an_event_whose_job_never_ran_is_processed_by_the_redrive_once(
    client, django_capture_on_commit_callbacks
):
    payment = CreditPackPaymentFactory()
    # The job is lost: the after-commit callbacks are captured and never run.
    with django_capture_on_commit_callbacks(execute=False):
        assert events.deliver(client, events.checkout_completed(payment)).status_code == 200
    row = WebhookEvent.objects.get()
    assert row.status == WebhookEvent.Status.RECEIVED

    # Inside its grace period the normal path owns it.
    assert row.next_attempt_at > timezone.now()
    assert webhook_events_redrive() == 0

    _due_now()
    assert redrive_webhook_events.delay().get() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (WebhookEvent.Status.PROCESSED, 1)
    assert credits_balance(user=payment.user) == payment.credit_count

    _due_now()
    assert webhook_events_redrive() == 0
    assert credits_balance(user=payment.user) == payment.credit_count


def test_a_failed_event_is_retried_with_back_off_until_it_succeeds(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    from commerce.payments import services

    payment = CreditPackPaymentFactory()
    original = services.payment_reconcile

    def broken(*, payment):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(services, "payment_reconcile", broken)
    with django_capture_on_commit_callbacks(execute=True):
        assert events.deliver(client, events.checkout_completed(payment)).status_code == 200
    row = WebhookEvent.objects.get()
    assert (row.status, row.attempts) == (WebhookEvent.Status.FAILED, 1)
    first_wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_wait <= backoff.RETRY_BASE

    assert webhook_events_redrive() == 0  # not due yet

    _due_now()
    assert webhook_events_redrive() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (WebhookEvent.Status.FAILED, 2)
    assert row.next_attempt_at - timezone.now() > first_wait  # it waits longer each time

    monkeypatch.setattr(services, "payment_reconcile", original)
    _due_now()
    assert webhook_events_redrive() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (WebhookEvent.Status.PROCESSED, 3, "")
    assert credits_balance(user=payment.user) == payment.credit_count


def test_the_redrive_gives_up_after_the_last_attempt(client, django_capture_on_commit_callbacks):
    payment = CreditPackPaymentFactory()
    with django_capture_on_commit_callbacks(execute=False):
        events.deliver(client, events.checkout_completed(payment))
    WebhookEvent.objects.update(
        status=WebhookEvent.Status.FAILED,
        attempts=backoff.MAX_ATTEMPTS,
        next_attempt_at=timezone.now() - timedelta(hours=1),
    )

    assert webhook_events_redrive() == 0
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.FAILED
    assert credits_balance(user=payment.user) == 0


def test_back_off_doubles_from_a_minute_up_to_six_hours():
    now = timezone.now()
    waits = [backoff.next_attempt_after_failure(n, now=now) - now for n in (1, 2, 3, 9, 10)]
    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=4, minutes=16),
        timedelta(hours=6),
    ]
