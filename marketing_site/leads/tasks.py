"""Thin Celery tasks of the lead flow."""

from celery import shared_task
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

# The Klaviyo tasks live in the integration, which is not a Django app; importing them
# here registers them with workers (autodiscovery finds this module).
from integrations.klaviyo import tasks as klaviyo_tasks  # noqa: F401
from marketing_site.leads.models import Lead
from marketing_site.leads.tokens import confirmation_token_for


@shared_task(name="marketing_site.leads.tasks.send_lead_confirmation")
def send_lead_confirmation(lead_id: int, site_url: str) -> bool:
    """Emails the double opt-in link. Does nothing if the lead is gone or confirmed."""
    lead = Lead.objects.filter(pk=lead_id, confirmed_at__isnull=True).first()
    if lead is None:
        return False
    path = reverse("leads:confirm", kwargs={"token": confirmation_token_for(lead)})
    context = {"lead": lead, "confirm_url": site_url.rstrip("/") + path}
    subject = " ".join(render_to_string("leads/email/confirm_subject.txt", context).split())
    body = render_to_string("leads/email/confirm.txt", context)
    EmailMessage(subject=subject, body=body, to=[lead.email]).send()
    return True
