"""Thin Celery tasks of the lead flow."""

from celery import shared_task
from django.conf import settings
from django.db import transaction

# The Klaviyo tasks live in the integration, which is not a Django app; importing them
# here registers them with workers (autodiscovery finds this module).
from integrations.klaviyo import tasks as klaviyo_tasks
from integrations.klaviyo.types import (
    InvalidKlaviyoData,
    KlaviyoSubscription,
    KlaviyoUnsubscription,
)
from marketing_site.leads.models import Lead


@shared_task(name="marketing_site.leads.tasks.send_lead_confirmation")
def send_lead_confirmation(lead_id: int, site_url: str) -> bool:
    """For messages enqueued before decision 0038 (lead capture now notifies in its own
    transaction): the double opt-in email, unless the lead is gone or subscribed."""
    from marketing_site.leads.notifications import lead_notify_confirmation

    with transaction.atomic():
        lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
        if lead is None or lead.is_subscribed:
            return False
        lead_notify_confirmation(lead=lead, site_url=site_url)
    return True


@shared_task(bind=True, name="marketing_site.leads.tasks.lead_klaviyo_subscribe", max_retries=None)
def lead_klaviyo_subscribe(self, lead_id: int) -> bool:
    """Subscribes a confirmed lead to KLAVIYO_LIST_ID. The lead is read again on every
    attempt: if it unsubscribed while a retry was waiting, nothing is sent."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None or not lead.is_subscribed or not settings.KLAVIYO_LIST_ID:
        return False
    try:
        subscription = KlaviyoSubscription(
            email=lead.email,
            list_id=settings.KLAVIYO_LIST_ID,
            consented_at=lead.consent_given_at or lead.confirmed_at,
            source=f"Aeyia {lead.source_page or 'website'}"[:120],
        )
    except InvalidKlaviyoData:
        return False
    return klaviyo_tasks.deliver(
        self,
        operation="list_subscribe",
        email=subscription.email,
        label=subscription.list_id,
        call=lambda gateway: gateway.list_subscribe(subscription=subscription),
    )


@shared_task(
    bind=True, name="marketing_site.leads.tasks.lead_klaviyo_unsubscribe", max_retries=None
)
def lead_klaviyo_unsubscribe(self, lead_id: int) -> bool:
    """Withdraws the lead's consent in Klaviyo (bulk unsubscription job). The lead is read
    again on every attempt: if it confirmed anew while a retry was waiting, nothing is
    sent. Unsubscribing twice is harmless, so a retry after a lost answer is safe."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None or not lead.is_unsubscribed:
        return False
    try:
        unsubscription = KlaviyoUnsubscription(email=lead.email, list_id=settings.KLAVIYO_LIST_ID)
    except InvalidKlaviyoData:
        return False
    return klaviyo_tasks.deliver(
        self,
        operation="list_unsubscribe",
        email=unsubscription.email,
        label=unsubscription.list_id or "all lists",
        call=lambda gateway: gateway.list_unsubscribe(unsubscription=unsubscription),
    )


@shared_task(
    bind=True, name="marketing_site.leads.tasks.pull_klaviyo_suppressions", max_retries=None
)
def pull_klaviyo_suppressions(self) -> int | bool:
    """Beat, every 30 minutes: marks leads Klaviyo suppressed since the last run as
    unsubscribed. Progress is saved per page, so a retry after a 429 (Retry-After,
    else the back-off) resumes where it stopped."""
    from marketing_site.leads.services import lead_suppressions_pull

    changed: list[int] = []

    def pull(gateway) -> None:
        changed.append(lead_suppressions_pull(gateway=gateway))

    outcome = klaviyo_tasks.deliver(
        self, operation="suppressions_since", email="", label="suppressions", call=pull
    )
    return changed[0] if outcome is True else outcome


def form_page_staff_recipients(page) -> list[str]:
    """Who is told of a message sent through a form page: the page's own "Email the
    submissions to staff" address(es) when an editor set them, otherwise
    CONTACT_FORM_NOTIFY_EMAIL, otherwise every active member of the Staff group."""
    addresses = [address.strip() for address in page.to_address.split(",") if address.strip()]
    if addresses:
        return addresses
    if settings.CONTACT_FORM_NOTIFY_EMAIL:
        return [settings.CONTACT_FORM_NOTIFY_EMAIL]
    from accounts.models import User
    from accounts.roles import GROUP_NAMES, Role

    return sorted(
        User.objects.filter(groups__name=GROUP_NAMES[Role.STAFF], is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


@shared_task(name="marketing_site.leads.tasks.send_form_submission_to_staff")
def send_form_submission_to_staff(submission_id: int) -> bool:
    """Emails staff one message sent through a form page (every field as the person
    filled it in). Nothing if the submission is gone (erased) or nobody is to be told."""
    from marketing_site.leads.models import LeadFormSubmission

    submission = LeadFormSubmission.objects.filter(pk=submission_id).select_related("page").first()
    if submission is None:
        return False
    page = submission.page.specific
    recipients = form_page_staff_recipients(page)
    if not recipients:
        return False
    data = submission.get_data()
    lines = [f"{field.label}: {data.get(field.clean_name, '')}" for field in page.get_form_fields()]
    if "consent" in data:
        lines.append(f"Agreed to marketing emails: {'yes' if data['consent'] else 'no'}")
    from marketing_site.leads.notifications import form_submission_notify

    with transaction.atomic():
        for address in recipients:
            form_submission_notify(
                submission_id=submission.pk,
                address=address,
                subject=page.subject or f"New message from the {page.title} page",
                text="\n".join(lines),
                from_address=page.from_address,
            )
    return True
