"""The "you have a new message" email. It names no sender, subject or content: only that
something is waiting and where to read it (after signing in). At most one per thread and
recipient per MESSAGE_EMAIL_THROTTLE_MINUTES, and only while the message is still
unread when the task runs."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from marketplace.clients.messaging.models import Message, ReadState

logger = logging.getLogger(__name__)

SUBJECT = "You have a new message on Aeyia"


def _link_for(message: Message, recipient) -> str:
    record = message.thread.record
    side = "client" if recipient.pk == record.client_id else "practitioner"
    name = "care-message-thread-client" if side == "client" else "care-message-thread-practitioner"
    path = reverse(name, kwargs={"record_id": record.pk, "thread_id": message.thread_id})
    return settings.SITE_URL.rstrip("/") + path


def message_notify(*, message_id: int) -> int:
    """Emails the other participant(s) of the message's thread. Returns how many emails
    went out (0 when throttled, already read, or the message is gone)."""
    message = (
        Message.objects.select_related(
            "thread__record__client", "thread__record__practitioner__user"
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return 0
    record = message.thread.record
    recipients = [
        user
        for user in (record.client, record.practitioner.user)
        if user.pk != message.sender_id and user.is_active and user.email
    ]
    throttle = timedelta(minutes=settings.MESSAGE_EMAIL_THROTTLE_MINUTES)
    sent = 0
    for recipient in recipients:
        with transaction.atomic():
            state, _ = ReadState.objects.select_for_update().get_or_create(
                thread=message.thread, user=recipient
            )
            if state.last_read_at is not None and state.last_read_at >= message.created_at:
                continue
            now = timezone.now()
            if state.last_emailed_at is not None and state.last_emailed_at > now - throttle:
                continue
            state.last_emailed_at = now
            state.save(update_fields=["last_emailed_at"])
            body = (
                "Hello,\n\n"
                "You have a new message on Aeyia. To read it, sign in and open:\n\n"
                f"{_link_for(message, recipient)}\n\n"
                "For your privacy we never put messages in email.\n\n"
                "Aeyia\n"
            )
            transaction.on_commit(
                lambda to=recipient.email, text=body: EmailMessage(
                    subject=SUBJECT, body=text, to=[to]
                ).send()
            )
            sent += 1
    return sent
