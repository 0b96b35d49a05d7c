"""The "complete your intake" reminder. It says only that an intake is waiting and when
the session is: never a question or an answer."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from marketplace.clients.intake.bookings import BookingFacts
from marketplace.clients.records.models import CareRecord

SUBJECT = "Please complete your intake before your session"


def send_reminder_email(*, record: CareRecord, facts: BookingFacts) -> None:
    path = reverse(
        "care-intake-client-fill", kwargs={"record_id": record.pk, "booking_id": facts.booking_id}
    )
    body = render_to_string(
        "intake/email/reminder.txt",
        {
            "practitioner_name": record.practitioner.display_name,
            "starts_at": facts.starts_at,
            "url": f"{settings.SITE_URL.rstrip('/')}{path}",
        },
    )
    EmailMessage(subject=SUBJECT, body=body, to=[record.client.email]).send()
