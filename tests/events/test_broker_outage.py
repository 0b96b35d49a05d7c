"""Fault drill: a client books with credits while the Celery broker is down. The broker is
a redis-server this test started on its own port; Celery publishes to it for real. The
booking is answered 201 without waiting on the broker, the confirmation emails wait in the
outbox, and once the broker is back the relay publishes them and a real worker sends each
once (the issue: 500 after 19 s with the booking confirmed, no emails ever, 409 on retry)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from commerce.bookings.models import Booking
from commerce.credits.selectors import credits_balance
from events.models import OutboxMessage
from notifications.models import Delivery
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import CREDIT_PRICE, bookable_service, slot
from tests.commerce.credits.factories import give_credits
from tests.events.broker import own_broker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# The booking notices' email deliveries (decision 0038: bookings notify through the
# notification service, whose deliveries go out through the outbox).
DELIVER = "notifications.tasks.deliver"


@pytest.fixture(autouse=True)
def _bookings_go_before_the_ledger():
    """Bookings point at ledger rows; on SQLite the ledger is emptied before Django's
    flush (tests/conftest.py), so the bookings must go first."""
    yield
    Booking.objects.all().delete()


def _book(api, service, start):
    return api.post(
        "/api/v1/bookings/",
        {"service": service.pk, "start": start.isoformat(), "pay_with": "credits"},
        format="json",
    )


def test_booking_with_credits_while_the_broker_is_down_is_201_and_emails_follow_once(tmp_path):
    service = bookable_service()
    user = UserFactory()
    give_credits(user=user, amount=10)
    api = APIClient()
    api.force_authenticate(user)
    start = slot()

    with own_broker(tmp_path) as broker:
        broker.stop()
        response = _book(api, service, start)
        retry = _book(api, service, start)

        assert response.status_code == 201, response.content
        booking = Booking.objects.get(pk=response.json()["id"])
        assert booking.status == Booking.Status.CONFIRMED
        assert credits_balance(user=user) == 10 - CREDIT_PRICE
        # The client's own retry is refused as a taken slot, never a 500, and spends nothing.
        assert retry.status_code == 409, retry.content
        assert "code" in retry.json()
        assert credits_balance(user=user) == 10 - CREDIT_PRICE

        emails = sorted(
            Delivery.objects.filter(
                notification__dedupe_key__startswith=f"booking:{booking.pk}:confirmed:",
                channel="email",
            ).values_list("pk", flat=True)
        )
        assert len(emails) == 2  # the client's confirmation and the practitioner's notice
        queued = {row.args[0]: row for row in OutboxMessage.objects.filter(task_name=DELIVER)}
        assert set(emails) <= set(queued)
        for delivery_id in emails:
            assert queued[delivery_id].state == OutboxMessage.State.PENDING
            assert queued[delivery_id].attempts == 1
        notice = queued[emails[0]]
        assert not OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).exists()
        assert mail.outbox == []

        broker.start()
        OutboxMessage.objects.update(next_attempt_at=timezone.now())  # back-off over
        call_command("relay_outbox", "--once")
        assert not OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).exists()

        practitioner_email = service.practitioner.user.email
        with broker.worker():
            wait_for(lambda: len(mail.outbox) >= 2)
            wait_for(lambda: broker.queued() == 0)

            # At least once: the same job published again (a relay that died before it
            # marked the row sent) sends nothing more.
            OutboxMessage.objects.filter(pk=notice.pk).update(
                state=OutboxMessage.State.PENDING, next_attempt_at=timezone.now()
            )
            call_command("relay_outbox", "--once")
            wait_for(lambda: broker.queued() == 0)
            wait_for(
                lambda: OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count() == 0
            )

    confirmations = [m for m in mail.outbox if m.to in ([user.email], [practitioner_email])]
    assert sorted(m.to[0] for m in confirmations) == sorted([user.email, practitioner_email])
    assert len(mail.outbox) == 2
