"""Contentful's webhook: any publish, unpublish or delete in the space asks for an
incremental sync. The body is not trusted or needed (the Sync API is the source of
truth); the shared secret in X-Aeyia-Webhook-Secret authenticates the call."""

import hmac
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from cms.contentful_sync.services import contentful_sync_request

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Aeyia-Webhook-Secret"  # noqa: S105 (a header name)
MAX_WEBHOOK_BYTES = 1024 * 1024


def _secret_matches(given: str) -> bool:
    expected = settings.CONTENTFUL_WEBHOOK_SECRET or ""
    # An unset secret accepts nobody; compare_digest keeps the comparison constant-time.
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt
def contentful_webhook(request):
    if request.method != "POST":
        response = JsonResponse({"code": "method_not_allowed", "detail": "Use POST."}, status=405)
        response["Allow"] = "POST"
        return response
    if not _secret_matches(request.headers.get(SECRET_HEADER, "")):
        logger.warning("rejected contentful webhook: wrong or missing secret")
        return JsonResponse(
            {"code": "invalid_secret", "detail": "The webhook secret is missing or wrong."},
            status=401,
        )
    content_length = request.headers.get("Content-Length", "0")
    if not content_length.isdigit() or int(content_length) > MAX_WEBHOOK_BYTES:
        return JsonResponse({"code": "too_large", "detail": "Payload too large."}, status=413)
    topic = request.headers.get("X-Contentful-Topic", "")[:200]
    queued = contentful_sync_request(trigger="webhook")
    logger.info(
        "contentful webhook %s: sync %s",
        topic or "(no topic)",
        "queued" if queued else "already queued",
    )
    return JsonResponse({"received": True, "queued": queued}, status=202)
