"""The double opt-in email a lead gets, through the notification service (decision
0038). It goes to an address that may have no account, so it is email only and in the
required category (nobody has preferences to consult yet); it keeps the one-click
unsubscribe link and its RFC 2369 / RFC 8058 headers."""

from django.urls import reverse

from marketing_site.leads.models import Lead
from marketing_site.leads.tokens import confirmation_token_for, unsubscribe_token_for
from notifications.kinds import Category, Channel, EmailExtras, NotificationType, register
from notifications.models import Notification
from notifications.services import notify

CONFIRM_TYPE = "leads.confirm"


def unsubscribe_url_for(lead: Lead, site_url: str) -> str:
    path = reverse("leads:unsubscribe", kwargs={"token": unsubscribe_token_for(lead)})
    return site_url.rstrip("/") + path


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 + RFC 8058: mail clients show their own unsubscribe button and POST
    `List-Unsubscribe=One-Click` to the link, with no page in between."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _unsubscribe_extras(notification: Notification) -> EmailExtras:
    unsubscribe_url = (notification.context or {}).get("unsubscribe_url", "")
    if not unsubscribe_url:
        return EmailExtras()
    return EmailExtras(headers=unsubscribe_headers(unsubscribe_url))


def register_types() -> None:
    """Called from LeadsConfig.ready."""
    register(
        NotificationType(
            key=CONFIRM_TYPE,
            category=Category.REQUIRED,
            channels=frozenset({Channel.EMAIL}),
            urgent=True,
            email_extras=_unsubscribe_extras,
        )
    )


def lead_notify_confirmation(*, lead: Lead, site_url: str) -> Notification:
    """The confirmation link (and the one-click unsubscribe link) for the lead, sent after
    the capturing transaction commits. Once per lead and send time: lead capture allows a
    new one only after CONFIRMATION_RESEND_AFTER."""
    path = reverse("leads:confirm", kwargs={"token": confirmation_token_for(lead)})
    sent_at = lead.confirmation_sent_at
    return notify(
        recipient=None,
        email=lead.email,
        type_key=CONFIRM_TYPE,
        context={
            "lead_id": lead.pk,
            "name": lead.name,
            "consent_text": lead.consent_text,
            # Absolute: the form may have been posted to another site's base (API callers).
            "confirm_url": site_url.rstrip("/") + path,
            "unsubscribe_url": unsubscribe_url_for(lead, site_url),
        },
        dedupe_key=f"lead:{lead.pk}:confirm:{int(sent_at.timestamp()) if sent_at else 0}",
    )
