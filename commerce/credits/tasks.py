"""Thin Celery tasks for the credits ledger."""

from celery import shared_task

from commerce.credits.services import credits_expire_due


@shared_task(name="commerce.credits.tasks.expire_due_credits", ignore_result=False)
def expire_due_credits() -> int:
    """Expires every lot past its date (idempotent: a second run finds nothing due).
    Returns how many lots expired."""
    return credits_expire_due()
