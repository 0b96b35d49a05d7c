"""Beat entry points for the outbox."""

from celery import shared_task

from events import outbox


@shared_task(name="events.tasks.relay_outbox")
def relay_outbox() -> int:
    """Every minute: publishes pending rows that are due (the relay process does the
    same every few seconds; SKIP LOCKED keeps them from sending a row twice)."""
    total = 0
    while sent := outbox.relay_due():
        total += sent
        if sent < outbox.RELAY_BATCH_SIZE:
            break
    return total


@shared_task(name="events.tasks.purge_sent_outbox")
def purge_sent_outbox() -> int:
    """Daily: drops rows sent more than a week ago."""
    return outbox.purge_sent()
