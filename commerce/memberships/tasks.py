from celery import shared_task


@shared_task(name="commerce.memberships.tasks.downgrade_after_grace")
def downgrade_after_grace() -> int:
    """Ends memberships whose grace period has run out (idempotent; beat runs it hourly)."""
    from commerce.memberships.services import memberships_downgrade_after_grace

    return memberships_downgrade_after_grace()
