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
FORM_SUBMISSION_TYPE = "leads.form_submission"


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


def _from_address_extras(notification: Notification) -> EmailExtras:
    # The page's own "from" address, when an editor set one (Django's EmailMessage takes a
    # From header over its from_email).
    from_address = (notification.context or {}).get("from_address", "")
    return EmailExtras(headers={"From": from_address} if from_address else {})


def register_types() -> None:
    """Called from LeadsConfig.ready."""
    # A message a visitor sent staff through a form page: operational mail to staff
    # addresses (often not accounts), so email only and required.
    register(
        NotificationType(
            key=FORM_SUBMISSION_TYPE,
            category=Category.REQUIRED,
            channels=frozenset({Channel.EMAIL}),
            urgent=True,
            email_extras=_from_address_extras,
        )
    )
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


def form_submission_notify(
    *, submission_id: int, address: str, subject: str, text: str, from_address: str
) -> Notification:
    """One staff address told of one form-page submission (every field as filled in),
    once per submission and address."""
    return notify(
        recipient=None,
        email=address,
        type_key=FORM_SUBMISSION_TYPE,
        context={
            "submission_id": submission_id,
            "subject": subject,
            "text": text,
            "from_address": from_address,
        },
        dedupe_key=f"form-submission:{submission_id}",
    )


def form_submission_notices_erase(*, submission_ids) -> int:
    """Deletes the staff notifications (and their deliveries) that carry a copy of these
    submissions, for the form submissions eraser. Returns how many notifications went."""
    keys = [f"form-submission:{submission_id}" for submission_id in submission_ids]
    if not keys:
        return 0
    deleted, _ = Notification.objects.filter(
        type_key=FORM_SUBMISSION_TYPE, dedupe_key__in=keys
    ).delete()
    return deleted
