"""The email and SMS senders (registered in apps.py). Consent and suppression are
checked again here, at send time: a person may have withdrawn consent, or their address
bounced, after the notification was queued."""

from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from accounts.encryption import lookup_digests
from integrations.sms import get_sms_sender
from integrations.sms.types import InvalidPhoneNumber, SmsError
from notifications.channels import ChannelError, ChannelUnavailable, RenderedEmail, RenderedSms
from notifications.kinds import Category
from notifications.models import ContactPoint, Delivery, SuppressedAddress
from notifications.unsubscribe import unsubscribe_headers

SKIP_ADDRESS_BOUNCED = "address bounced"
SKIP_CONSENT_WITHDRAWN = "consent withdrawn"
SKIP_NO_PHONE = "no phone number"
SKIP_NO_ADDRESS = "no email address"


def address_suppressed(address: str) -> bool:
    if not address:
        return False
    digests = lookup_digests(address.strip().lower())
    return SuppressedAddress.objects.filter(address_digest__in=digests).exists()


def email_send(delivery: Delivery, rendered: RenderedEmail) -> str:
    """Sends the email through EMAIL_BACKEND (Anymail in production) and returns the
    provider's message id, or our own Message-ID when the backend reports none (the
    file and memory backends)."""
    address = delivery.notification.address
    if not address:
        raise ChannelUnavailable(SKIP_NO_ADDRESS)
    if address_suppressed(address):
        raise ChannelUnavailable(SKIP_ADDRESS_BOUNCED)
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or None
    own_message_id = make_msgid(idstring=f"delivery-{delivery.pk}", domain=domain)
    headers = {"Message-ID": own_message_id, **dict(rendered.extras.headers)}
    notification = delivery.notification
    if notification.category == Category.MARKETING and notification.recipient_id:
        headers = {**unsubscribe_headers(user_id=notification.recipient_id), **headers}
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=headers,
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    for alternative, mimetype in rendered.extras.alternatives:
        message.attach_alternative(alternative, mimetype)
    for filename, attachment, mimetype in rendered.extras.attachments:
        message.attach(filename, attachment, mimetype)
    # Anymail hands metadata to the ESP, which returns it in its webhooks: the tracking
    # handler can find the delivery even when the message id is unknown to it.
    message.metadata = {"delivery_id": str(delivery.pk)}  # type: ignore[attr-defined]
    try:
        message.send(fail_silently=False)
    except Exception as error:
        # Anymail's errors and SMTP errors alike: the provider may take it next time.
        raise ChannelError(f"{type(error).__name__}: {error}", retryable=True) from error
    provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    return (own_message_id if provider_id is None else str(provider_id))[:255]


def sms_send(delivery: Delivery, rendered: RenderedSms) -> str:
    """Texts the person's number through integrations.sms, once per delivery (the
    idempotency key is the delivery's id)."""
    user_id = delivery.notification.recipient_id
    contact = ContactPoint.objects.filter(user_id=user_id).first() if user_id else None
    if contact is None or not contact.phone_number:
        raise ChannelUnavailable(SKIP_NO_PHONE)
    if not contact.sms_opt_in:
        raise ChannelUnavailable(SKIP_CONSENT_WITHDRAWN)
    try:
        sent = get_sms_sender().send(
            to=contact.phone_number, body=rendered.body, idempotency_key=f"delivery-{delivery.pk}"
        )
    except InvalidPhoneNumber as error:
        raise ChannelError(str(error), retryable=False) from error
    except SmsError as error:
        raise ChannelError(str(error), retryable=error.retryable) from error
    return sent.message_id
