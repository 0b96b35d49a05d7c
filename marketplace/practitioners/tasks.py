"""Thin tasks: load by id, call a service; idempotent."""

from celery import shared_task


@shared_task(name="marketplace.practitioners.tasks.process_kyc_event", bind=True, max_retries=5)
def process_kyc_event(self, event_id: int) -> str:
    """Processes one stored KYC event; a failure is retried with backoff (a result may
    arrive before the commit that created its case is visible to this worker)."""
    from marketplace.practitioners.models import KycEvent
    from marketplace.practitioners.webhooks import kyc_event_process

    row = kyc_event_process(event_id=event_id)
    if row.status == KycEvent.Status.FAILED and not self.request.is_eager:
        raise self.retry(countdown=min(60 * 2**self.request.retries, 3600))
    return row.status


@shared_task(name="marketplace.practitioners.tasks.redrive_kyc_events")
def redrive_kyc_events() -> int:
    """Beat: processes stored KYC events left received or failed, with back-off."""
    from marketplace.practitioners.webhooks import kyc_events_redrive

    return kyc_events_redrive()


@shared_task(name="marketplace.practitioners.tasks.refresh_pending_kyc_checks")
def refresh_pending_kyc_checks() -> int:
    """Beat: reads the results of vendor checks pending for a while (a lost notification)."""
    from marketplace.practitioners.webhooks import kyc_pending_refresh

    return kyc_pending_refresh()


@shared_task(name="marketplace.practitioners.tasks.send_status_email")
def send_status_email(practitioner_id: int, event: str) -> None:
    """For messages enqueued before decision 0038 (decisions now notify in their own
    transaction): notifies once per decision."""
    from marketplace.practitioners.models import PractitionerProfile
    from marketplace.practitioners.notifications import practitioner_notify_status

    practitioner = (
        PractitionerProfile.objects.select_related("user").filter(pk=practitioner_id).first()
    )
    if practitioner is not None:
        practitioner_notify_status(practitioner=practitioner, event=event)


@shared_task(name="marketplace.practitioners.tasks.send_credential_reminders")
def send_credential_reminders() -> int:
    """Daily: reminders before licences and insurance expire (each sent once)."""
    from marketplace.practitioners.services import credential_reminders_send

    return credential_reminders_send()


@shared_task(name="marketplace.practitioners.tasks.send_invitation_email")
def send_invitation_email(invitation_id: int) -> bool:
    """Emails a staff invitation to apply (skipped once it is used or gone)."""
    from marketplace.practitioners.notifications import send_invitation_email as send

    return send(invitation_id=invitation_id)
