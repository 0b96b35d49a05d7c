"""The email provider's tracking webhook at /webhooks/email/.

Anymail's own view for the chosen ESP verifies the request (Mailgun: the HMAC-SHA256
signature over timestamp and token with MAILGUN_WEBHOOK_SIGNING_KEY, plus the shared
basic-auth secret ANYMAIL_WEBHOOK_SECRET; Postmark: that basic-auth secret) and sends
`anymail.signals.tracking` once per event; `tracking_received` records each event once
on its id and updates the delivery it is about. Decision 0035 says why Mailgun is the
default ESP."""

from __future__ import annotations

import hashlib
import logging
from functools import cache

from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.encryption import lookup_digests
from notifications.kinds import Channel
from notifications.models import Delivery, EmailEvent, SuppressedAddress

logger = logging.getLogger(__name__)

TRACKING_VIEWS = {
    "mailgun": (MailgunTrackingWebhookView, ("MAILGUN_WEBHOOK_SIGNING_KEY", "WEBHOOK_SECRET")),
    "postmark": (PostmarkTrackingWebhookView, ("WEBHOOK_SECRET",)),
}
# Events that end the address: later emails to it are skipped.
SUPPRESSING_EVENTS = frozenset({"bounced", "complained"})


@cache
def _tracking_view(esp: str):
    view_class, _required = TRACKING_VIEWS[esp]
    return view_class.as_view()


@csrf_exempt
def email_tracking_webhook(request: HttpRequest) -> HttpResponse:
    """Hands the request to Anymail's view for EMAIL_TRACKING_ESP; answers 404 when no
    ESP or its secrets are configured (the embedded default sends no real email), so a
    missing secret never becomes a 500 or an unauthenticated endpoint."""
    esp = settings.EMAIL_TRACKING_ESP
    if esp not in TRACKING_VIEWS:
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    _view_class, required = TRACKING_VIEWS[esp]
    anymail_settings = getattr(settings, "ANYMAIL", {})
    if not all(anymail_settings.get(name) for name in required):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return _tracking_view(esp)(request)


def _event_id(esp: str, event) -> str:
    if event.event_id:
        return str(event.event_id)[:255]
    # Postmark gives ids only to bounces: the event's own facts stand in for one.
    facts = f"{esp}|{event.event_type}|{event.message_id}|{event.recipient}|{event.timestamp}"
    return "derived-" + hashlib.sha256(facts.encode()).hexdigest()


def tracking_received(sender, event, esp_name: str, **kwargs) -> None:
    """Anymail's `tracking` signal receiver."""
    metadata = getattr(event, "metadata", None) or {}
    event_type = str(event.event_type or "unknown")
    esp_event = getattr(event, "esp_event", None)
    if isinstance(esp_event, dict) and esp_event.get("Type") == "SoftBounce":
        # Anymail reports Postmark's soft bounces as bounced; the mailbox may accept the
        # next one, so the address is not suppressed for it.
        event_type = "deferred"
    email_event_record(
        esp=esp_name.lower(),
        event_id=_event_id(esp_name.lower(), event),
        event_type=event_type,
        message_id=str(event.message_id or ""),
        recipient=str(event.recipient or ""),
        delivery_id=str(metadata.get("delivery_id", "")),
    )


@transaction.atomic
def email_event_record(
    *,
    esp: str,
    event_id: str,
    event_type: str,
    message_id: str,
    recipient: str,
    delivery_id: str = "",
) -> str:
    """Applies one provider event once: a replay (same ESP and event id) changes
    nothing. Bounced → the delivery is `bounced` and the address suppressed; complained
    → the address suppressed; rejected or failed → the delivery failed for good;
    delivered and the rest are noted on the delivery. Returns "duplicate", "applied" or
    "unmatched" (no delivery of ours, e.g. an email sent before this service)."""
    try:
        with transaction.atomic():
            event_row = EmailEvent.objects.create(
                esp=esp, event_id=event_id, event_type=event_type[:32], message_id=message_id[:255]
            )
    except IntegrityError:
        return "duplicate"
    match = Q(provider_message_id=message_id) if message_id else Q(pk__in=[])
    if delivery_id.isdigit():
        match |= Q(pk=int(delivery_id))
    deliveries = list(
        Delivery.objects.select_for_update(of=("self",))
        .filter(match, channel=Channel.EMAIL)
        .select_related("notification", "notification__recipient")
    )
    if event_type in SUPPRESSING_EVENTS:
        address = recipient or (deliveries[0].notification.address if deliveries else "")
        if address:
            address_suppress(address=address, reason=event_type)
    if not deliveries:
        return "unmatched"
    event_row.delivery = deliveries[0]
    event_row.save(update_fields=["delivery"])
    ids = [delivery.pk for delivery in deliveries]
    fields: dict = {"provider_status": event_type[:32]}
    if event_type == "bounced":
        fields["state"] = Delivery.State.BOUNCED
    elif event_type in ("rejected", "failed"):
        fields.update(state=Delivery.State.FAILED, next_attempt_at=None)
        fields["last_error"] = f"the provider reported {event_type}"
    Delivery.objects.filter(pk__in=ids).update(**fields)
    return "applied"


def address_suppress(*, address: str, reason: str) -> None:
    """Stops email to `address` (kept as a keyed digest, never the address)."""
    digests = lookup_digests(address.strip().lower())
    if SuppressedAddress.objects.filter(address_digest__in=digests).exists():
        return
    SuppressedAddress.objects.get_or_create(address_digest=digests[0], defaults={"reason": reason})
