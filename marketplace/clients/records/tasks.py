from celery import shared_task

from marketplace.clients.records.notifications import break_glass_email_send


@shared_task(name="marketplace.clients.records.tasks.send_break_glass_email")
def send_break_glass_email(grant_id: int) -> bool:
    return break_glass_email_send(grant_id=grant_id)
