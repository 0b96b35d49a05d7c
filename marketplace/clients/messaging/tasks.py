from celery import shared_task

from marketplace.clients.messaging.notifications import message_notify


@shared_task(name="marketplace.clients.messaging.tasks.notify_new_message")
def notify_new_message(message_id: int) -> int:
    return message_notify(message_id=message_id)
