"""Webhook ingest: signed Stripe events through /webhooks/stripe/ (verify, store, process
eagerly) against a bare Django view answering the same JSON, same client, same run."""

import json
import time
from unittest import mock

from django.db import connection
from django.http import JsonResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from bench.timing import best_rate
from commerce.payments.models import WebhookEvent
from commerce.payments.tasks import process_webhook_event

EVENTS = 300


@csrf_exempt
def bare_view(request):
    return JsonResponse({"received": True, "id": "evt"})


urlpatterns = [path("bare/", bare_view), path("", include("config.urls"))]


def _signed(event_id: str, secret: str) -> tuple[bytes, str]:
    import hashlib
    import hmac

    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": "payout.paid",
            "data": {"object": {"id": f"po_{event_id}", "object": "payout", "amount": 100}},
        }
    ).encode()
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return body, f"t={timestamp},v1={digest.hexdigest()}"


def run() -> str:
    from django.conf import settings

    client = Client()
    with override_settings(ROOT_URLCONF=__name__):
        deliveries = [
            [_signed(f"evt_bench_{r}_{i}", settings.STRIPE_WEBHOOK_SECRET) for i in range(EVENTS)]
            for r in range(3)
        ]

        def ingest(round_number: int) -> None:
            for body, signature in deliveries[round_number]:
                response = client.post(
                    "/webhooks/stripe/",
                    data=body,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=signature,
                )
                assert response.status_code == 200, response.content

        def bare(round_number: int) -> None:
            for body, signature in deliveries[round_number]:
                client.post(
                    "/bare/",
                    data=body,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=signature,
                )

        bare_rate = best_rate(bare, count=EVENTS)
        # What Stripe waits for: verify and store; processing goes to a worker.
        with mock.patch.object(process_webhook_event, "delay"):
            store_rate = best_rate(ingest, count=EVENTS)
        WebhookEvent.objects.all().delete()
        # The embedded default: processing runs eagerly inside the request.
        eager_rate = best_rate(ingest, count=EVENTS)
    return (
        f"webhook ingest ({connection.vendor}): bare Django view {bare_rate:,.0f} req/s; "
        f"verify+store {store_rate:,.0f} events/s (ratio {store_rate / bare_rate:.2f}); "
        f"verify+store+process eagerly {eager_rate:,.0f} events/s "
        f"(ratio {eager_rate / bare_rate:.2f})"
    )
