"""FrankieOne's notifications: POST /webhooks/kyc/frankieone/<secret>/ (FrankieOne appends
/<requestId>). They are not signed, so the path's secret (FRANKIEONE_NOTIFICATION_SECRET,
compared in constant time) keeps strangers out, and what arrives is only a hint: it is
stored and a task reads the result from FrankieOne's API before anything changes.

Answers: 202 once stored (a redelivery too); 404 for any other path secret (or none
configured); 400 for a body that is not a notification (FrankieOne stops retrying); 405
for other methods; 413 when too large; 503 when it cannot be stored now (FrankieOne
retries). The secret is part of the path, so these responses are not handed to Django's
request logger (which would write the path); our own log lines leave the path out."""

import hmac
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from marketplace.practitioners.webhooks import frankieone_notification_receive

logger = logging.getLogger(__name__)

MAX_NOTIFICATION_BYTES = 64 * 1024


def _answer(code: str, detail: str, status: int) -> JsonResponse:
    response = JsonResponse({"code": code, "detail": detail}, status=status)
    # Django's request logger would write the path (with the secret) for a 4xx or 5xx.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _secret_matches(given: str) -> bool:
    configured = settings.FRANKIEONE_NOTIFICATION_SECRET
    if not configured:
        return False
    return hmac.compare_digest(given.encode(), configured.encode())


@csrf_exempt
def frankieone_notification(request, secret: str, request_id: str = ""):
    if not _secret_matches(secret):
        logger.warning("FrankieOne notification refused: unknown path secret")
        return _answer("not_found", "Not found.", 404)
    if request.method != "POST":
        return _answer("method_not_allowed", "Use POST.", 405)
    if len(request.body) > MAX_NOTIFICATION_BYTES:
        return _answer("too_large", "Payload too large.", 413)
    try:
        event = frankieone_notification_receive(request.body, path_request_id=request_id)
    except ValueError as error:
        logger.warning("malformed FrankieOne notification: %s", error)
        return _answer("invalid_payload", "The body is not a FrankieOne notification.", 400)
    except DatabaseError:
        logger.exception("FrankieOne notification could not be stored")
        return _answer("unavailable", "Try again later.", 503)
    response = JsonResponse({"received": True, "id": event.event_id}, status=202)
    return response
