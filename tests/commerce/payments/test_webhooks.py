"""Webhook intake: signature on the raw body, stored once, processed once, converging
whatever the order of delivery."""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available, credits_balance
from commerce.payments.models import Payment, WebhookEvent
from commerce.payments.webhooks import handled_event_types, webhook_event_reprocess
from tests.commerce.payments import events
from tests.commerce.payments.factories import CreditPackPaymentFactory
from tests.vendor import stripe_event_types, stripe_signature

pytestmark = pytest.mark.django_db


def test_a_signed_payment_event_is_stored_processed_and_grants_the_credits(
    client, django_capture_on_commit_callbacks
):
    payment = CreditPackPaymentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = events.deliver(client, events.checkout_completed(payment))

    assert response.status_code == 200
    assert response.json()["received"] is True
    row = WebhookEvent.objects.get()
    assert (row.type, row.status, row.attempts) == (
        "checkout.session.completed",
        WebhookEvent.Status.PROCESSED,
        1,
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.payment_intent_id == f"pi_test_{payment.pk:06d}"
    assert credits_available(user=payment.user) == 5


def _tampered(event):
    payload, signature = events.signed(event)
    return payload.replace(b'"paid"', b'"unpaid"', 1), signature


def _wrong_secret(event):
    return events.signed(event, secret="whsec_someone_else")


def _stale(event):
    return events.signed(event, timestamp=int(time.time()) - 301)


def _future(event):
    return events.signed(event, timestamp=int(time.time()) + 301)


def _missing(event):
    return json.dumps(event).encode(), None


def _garbled(event):
    return json.dumps(event).encode(), "this is not a stripe signature"


def _no_v1(event):
    return json.dumps(event).encode(), f"t={int(time.time())}"


@pytest.mark.parametrize(
    "forge", [_tampered, _wrong_secret, _stale, _future, _missing, _garbled, _no_v1]
)
def test_a_delivery_that_does_not_verify_is_refused_and_nothing_is_stored(client, forge):
    payment = CreditPackPaymentFactory()
    payload, signature = forge(events.checkout_completed(payment))
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}

    response = client.post(
        "/webhooks/stripe/", data=payload, content_type="application/json", **headers
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not WebhookEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_a_body_that_is_not_json_is_refused(client):
    payload = b"not json at all"
    response = client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, settings.STRIPE_WEBHOOK_SECRET),
    )
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_the_two_endpoints_have_separate_secrets(client, django_capture_on_commit_callbacks):
    payment = CreditPackPaymentFactory()
    event = events.checkout_completed(payment)

    wrong = events.deliver(client, event, path="/webhooks/stripe-connect/")
    assert wrong.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        right = events.deliver(
            client,
            event,
            path="/webhooks/stripe-connect/",
            secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET,
        )
    assert right.status_code == 200
    assert WebhookEvent.objects.get().endpoint == WebhookEvent.Endpoint.CONNECT


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/stripe/").status_code == 405


def test_one_event_replayed_ten_times_in_sequence_has_one_effect(
    client, django_capture_on_commit_callbacks
):
    payment = CreditPackPaymentFactory()
    event = events.checkout_completed(payment)
    for _ in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            assert events.deliver(client, event).status_code == 200

    assert WebhookEvent.objects.count() == 1
    assert WebhookEvent.objects.get().attempts == 1
    assert CreditTransaction.objects.filter(kind=CreditTransaction.Kind.PURCHASE).count() == 1
    assert credits_balance(user=payment.user) == 5


@pytest.mark.django_db(transaction=True)
def test_one_event_delivered_ten_times_concurrently_has_one_effect(live_server):
    payment = CreditPackPaymentFactory()
    payload, signature = events.signed(events.checkout_completed(payment))
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def post() -> None:
        request = urllib.request.Request(  # noqa: S310  (our own live server)
            f"{live_server.url}/webhooks/stripe/",
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            method="POST",
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 10
    assert WebhookEvent.objects.count() == 1
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED
    assert CreditTransaction.objects.filter(kind=CreditTransaction.Kind.PURCHASE).count() == 1
    assert credits_balance(user=payment.user) == 5


def _end_state(payment: Payment) -> dict:
    payment.refresh_from_db()
    kinds = sorted(
        CreditTransaction.objects.filter(
            source_id=str(payment.pk), source_type__in=["payment", "payment-reversal"]
        ).values_list("kind", flat=True)
    )
    return {
        "status": payment.status,
        "paid": payment.paid_at is not None,
        "amount_refunded": payment.amount_refunded,
        "balance": credits_balance(user=payment.user),
        "ledger": kinds,
    }


@pytest.mark.parametrize("order", ["in order", "refund first"])
def test_a_refund_delivered_before_its_payment_ends_in_the_same_state(
    client, django_capture_on_commit_callbacks, order
):
    payment = CreditPackPaymentFactory()
    paid = events.checkout_completed(payment)
    refunded = events.charge_refunded(payment, amount_refunded=payment.amount)
    sequence = [paid, refunded] if order == "in order" else [refunded, paid]
    for event in sequence:
        with django_capture_on_commit_callbacks(execute=True):
            assert events.deliver(client, event).status_code == 200

    assert _end_state(payment) == {
        "status": Payment.Status.REFUNDED,
        "paid": True,
        "amount_refunded": payment.amount,
        "balance": 0,
        "ledger": [CreditTransaction.Kind.PURCHASE, CreditTransaction.Kind.REVERSAL],
    }


def test_a_partial_refund_keeps_the_credits_and_a_smaller_late_event_cannot_lower_it(
    client, django_capture_on_commit_callbacks
):
    payment = CreditPackPaymentFactory()
    for event in (
        events.checkout_completed(payment),
        events.charge_refunded(payment, amount_refunded=3000),
        events.charge_refunded(payment, amount_refunded=1000),  # older, delivered late
    ):
        with django_capture_on_commit_callbacks(execute=True):
            events.deliver(client, event)
    payment.refresh_from_db()
    assert payment.amount_refunded == 3000
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert credits_balance(user=payment.user) == 5


def test_every_handled_event_type_is_a_real_stripe_event_type():
    handled = handled_event_types()
    assert handled, "no handlers registered"
    assert handled <= stripe_event_types(), handled - stripe_event_types()


def test_an_unhandled_type_is_stored_and_marked_ignored(client, django_capture_on_commit_callbacks):
    from tests.vendor import stripe_event, stripe_object

    event = stripe_event("payout.paid", stripe_object("payout"), event_id="evt_payout_1")
    with django_capture_on_commit_callbacks(execute=True):
        assert events.deliver(client, event).status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.IGNORED


def test_a_failure_is_recorded_on_the_row_with_no_partial_effect_and_can_be_reprocessed(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    from commerce.payments import services

    payment = CreditPackPaymentFactory()
    original = services.payment_reconcile

    def broken(*, payment):
        original(payment=payment)  # the credits are granted... then the handler fails
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(services, "payment_reconcile", broken)
    with django_capture_on_commit_callbacks(execute=True):
        assert events.deliver(client, events.checkout_completed(payment)).status_code == 200

    row = WebhookEvent.objects.get()
    assert row.status == WebhookEvent.Status.FAILED
    assert "ledger unavailable" in row.last_error
    payment.refresh_from_db()
    assert payment.paid_at is None
    assert credits_balance(user=payment.user) == 0

    monkeypatch.setattr(services, "payment_reconcile", original)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_reprocess(event=row)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (WebhookEvent.Status.PROCESSED, 2, "")
    assert credits_balance(user=payment.user) == 5
