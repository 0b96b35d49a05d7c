"""Thin Celery entry point: the beat runs it every minute; "send now" enqueues it."""

from celery import shared_task

from notifications.announcements import services


@shared_task(name="notifications.announcements.tasks.announcements_send_due")
def announcements_send_due() -> int:
    return services.announcements_send_due()
