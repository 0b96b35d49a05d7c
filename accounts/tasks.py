from celery import shared_task
from django.core.management import call_command


@shared_task(name="accounts.tasks.clear_expired_sessions", ignore_result=False)
def clear_expired_sessions() -> str:
    """Deletes expired sessions (idempotent; beat runs it nightly)."""
    call_command("clearsessions")
    return "ok"
