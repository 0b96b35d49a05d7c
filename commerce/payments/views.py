"""Stripe's two webhook endpoints: signature checked on the raw body, stored, 200."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commerce.payments.models import WebhookEvent
from commerce.payments.webhooks import receive
from integrations.stripe.types import WebhookSignatureError

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 1024 * 1024


def _intake(request, endpoint: str) -> JsonResponse:
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return JsonResponse({"code": "too_large", "detail": "Payload too large."}, status=413)
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = receive(endpoint, request.body, signature)
    except WebhookSignatureError as error:
        logger.warning("rejected stripe webhook on %s: %s", endpoint, error)
        return JsonResponse(
            {"code": "invalid_signature", "detail": "The signature did not verify."},
            status=400,
        )
    return JsonResponse({"received": True, "id": event.stripe_id})


@csrf_exempt
@require_POST
def stripe_webhook(request):
    return _intake(request, WebhookEvent.Endpoint.PLATFORM)


@csrf_exempt
@require_POST
def stripe_connect_webhook(request):
    return _intake(request, WebhookEvent.Endpoint.CONNECT)
