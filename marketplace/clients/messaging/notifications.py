"""The "you have a new message" notice, through the notification service (decision
0038). It names no sender, subject or content: only that something is waiting and where
to read it (after signing in). At most one per thread and recipient per
MESSAGE_EMAIL_THROTTLE_MINUTES, and only while the message is still unread when the task
runs."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from marketplace.clients.messaging.models import Message, ReadState
from notifications.kinds import Category, Channel, NotificationType, register
from notifications.models import Notification
from notifications.selectors import unread_count_forget
from notifications.services import notify, unread_changed

logger = logging.getLogger(__name__)

NEW_MESSAGE_TYPE = "messages.new_message"


def register_types() -> None:
    """Called from MessagingConfig.ready."""
    register(
        NotificationType(
            key=NEW_MESSAGE_TYPE,
            category=Category.MESSAGES,
            channels=frozenset({Channel.IN_APP, Channel.EMAIL, Channel.SMS, Channel.PUSH}),
        )
    )


def _path_for(message: Message, recipient) -> str:
    record = message.thread.record
    side = "client" if recipient.pk == record.client_id else "practitioner"
    name = "care-message-thread-client" if side == "client" else "care-message-thread-practitioner"
    return reverse(name, kwargs={"record_id": record.pk, "thread_id": message.thread_id})


def message_notify(*, message_id: int) -> int:
    """Notifies the other participant(s) of the message's thread. Returns how many were
    notified (0 when throttled, already read, or the message is gone)."""
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
            path = _path_for(message, recipient)
            # Only ids and a path: the message's text never enters the notification.
            notify(
                recipient=recipient,
                type_key=NEW_MESSAGE_TYPE,
                context={"thread_id": message.thread_id, "thread_path": path},
                dedupe_key=f"thread:{message.thread_id}:message:{message.pk}",
                link=path,
            )
            sent += 1
    return sent


def message_notices_read(*, user, thread_id: int) -> int:
    """Reading a thread also marks its "new message" notices read, so the bell does not
    point at messages already seen. Returns how many it marked."""
    marked = Notification.objects.filter(
        recipient=user,
        type_key=NEW_MESSAGE_TYPE,
        dedupe_key__startswith=f"thread:{thread_id}:",
        read_at__isnull=True,
    ).update(read_at=timezone.now())
    if marked:
        user_id = user.pk
        # Forgotten now for this request's own next page, and again after commit (with
        # the live update) in case another request cached the old count meanwhile.
        unread_count_forget(user_id)
        transaction.on_commit(lambda: unread_changed(user_id=user_id), robust=True)
    return marked
