from celery import shared_task
from django.core.management import call_command


@shared_task(name="marketing_site.pages.tasks.publish_scheduled")
def publish_scheduled() -> None:
    """Publishes revisions whose go-live time has come and unpublishes pages whose expiry
    has passed (Wagtail's own command; idempotent, so overlapping beats are harmless)."""
    call_command("publish_scheduled")
