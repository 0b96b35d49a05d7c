"""Thin Celery entry points: load by id, call the service."""

from celery import shared_task

from notifications import delivery as delivery_service
from notifications import digest


@shared_task(name="notifications.tasks.deliver")
def deliver(delivery_id: int) -> str:
    """Sends one delivery (enqueued after the notification commits). Safe to run twice:
    the claim lets one run send it."""
    return delivery_service.delivery_send(delivery_id=delivery_id)


@shared_task(name="notifications.tasks.deliveries_redrive")
def deliveries_redrive() -> int:
    """Every minute: retries failed deliveries whose back-off is over, releases SMS and
    push held for quiet hours, and re-enqueues queued ones whose task was lost."""
    total = 0
    while redriven := delivery_service.deliveries_redrive():
        total += redriven
        if redriven < delivery_service.REDRIVE_BATCH_SIZE:
            break
    return total


@shared_task(name="notifications.tasks.digests_send")
def digests_send() -> int:
    """Every 15 minutes: sends each person's digest once their digest hour has come."""
    return digest.digests_send()
