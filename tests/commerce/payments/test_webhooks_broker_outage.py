"""Fault drill: Stripe delivers while the Celery broker is down. The broker here is a
redis-server this test started on its own port; Celery publishes to it for real. The
delivery is answered 200 at once, the event and its processing job are stored together,
and once the broker is back the relay publishes the job and a real worker processes the
event exactly once (the issue: the first delivery got a 500 after the row was saved, the
retry a 200, and nothing ever processed the row)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from commerce.credits.selectors import credits_balance
from commerce.payments.models import Payment, WebhookEvent
from commerce.payments.webhooks import webhook_events_redrive
from events.models import OutboxMessage
from tests.commerce.payments import events
from tests.commerce.payments.factories import CreditPackPaymentFactory
from tests.events.broker import own_broker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_an_event_delivered_while_the_broker_is_down_is_processed_once_it_is_back(client, tmp_path):
    payment = CreditPackPaymentFactory()
    event = events.checkout_completed(payment)

    with own_broker(tmp_path) as broker:
        broker.stop()

        first = events.deliver(client, event)
        # Stripe retries a delivery it did not see succeed; this one is recognised.
        retry = events.deliver(client, event)

        assert first.status_code == 200
        assert retry.status_code == 200
        stored = WebhookEvent.objects.get()
        assert stored.status == WebhookEvent.Status.RECEIVED
        job = OutboxMessage.objects.get()
        assert job.task_name == "commerce.payments.tasks.process_webhook_event"
        assert job.args == [stored.pk]
        assert job.state == OutboxMessage.State.PENDING
        # One publish was tried after the commit, once, and failed without raising.
        assert job.attempts == 1
        assert "Connection refused" in job.last_error
        assert job.next_attempt_at > timezone.now()

        broker.start()
        OutboxMessage.objects.update(next_attempt_at=timezone.now())  # its back-off is over
        call_command("relay_outbox", "--once")
        job.refresh_from_db()
        assert job.state == OutboxMessage.State.SENT
        assert broker.queued() == 1

        with broker.worker():

            def event_processed():
                return WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED

            wait_for(event_processed)
            wait_for(lambda: broker.queued() == 0)

        # Nothing is published or processed a second time: no pending job, the re-drive
        # leaves a processed event alone, and a late redelivery changes nothing.
        call_command("relay_outbox", "--once")
        assert broker.queued() == 0
        assert webhook_events_redrive() == 0
        assert events.deliver(client, event).status_code == 200
        assert OutboxMessage.objects.count() == 1

    stored.refresh_from_db()
    assert stored.attempts == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert credits_balance(user=payment.user) == payment.credit_count
