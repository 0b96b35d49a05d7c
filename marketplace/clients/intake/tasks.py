"""Thin tasks: load by id, call a service; idempotent."""

from celery import shared_task


@shared_task(
    name="marketplace.clients.intake.tasks.process_typeform_event", bind=True, max_retries=5
)
def process_typeform_event(self, event_id: int) -> str:
    """Processes one stored Typeform response; a failure stays on the row and is re-driven
    by beat with back-off."""
    from marketplace.clients.intake.webhooks import typeform_event_process

    return typeform_event_process(event_id=event_id).status


@shared_task(name="marketplace.clients.intake.tasks.redrive_typeform_events")
def redrive_typeform_events() -> int:
    """Beat: processes stored Typeform responses left received or failed, with back-off."""
    from marketplace.clients.intake.webhooks import typeform_events_redrive

    return typeform_events_redrive()


@shared_task(name="marketplace.clients.intake.tasks.send_intake_reminders")
def send_intake_reminders() -> int:
    """Beat: claims the 24 h intake reminders that are due (each booking once)."""
    from marketplace.clients.intake.services import intake_reminders_due

    return intake_reminders_due()


@shared_task(name="marketplace.clients.intake.tasks.send_intake_reminder")
def send_intake_reminder(reminder_id: int) -> None:
    from marketplace.clients.intake.services import intake_reminder_send

    intake_reminder_send(reminder_id=reminder_id)


@shared_task(name="marketplace.clients.intake.tasks.catch_up_typeform_responses")
def catch_up_typeform_responses() -> int:
    """Beat: stores linked Typeform responses that no webhook brought (Responses API)."""
    from marketplace.clients.intake.webhooks import typeform_responses_catch_up

    return typeform_responses_catch_up()
