"""Thin Celery tasks for session rooms."""

from celery import shared_task

from commerce.rooms.services import rooms_close_due


@shared_task(name="commerce.rooms.tasks.close_due_rooms")
def close_due_rooms() -> int:
    """Beat entry point: ends the rooms whose window has closed (idempotent: an ended room
    is never picked again, and SKIP LOCKED keeps two runs off one room)."""
    return rooms_close_due()
