"""The "complete your intake" reminder, through the notification service (decision
0038). It says only that an intake is waiting and when the session is: never a question
or an answer."""

from django.urls import reverse
from django.utils import dateformat

from marketplace.clients.intake.bookings import BookingFacts
from marketplace.clients.records.models import CareRecord
from notifications.kinds import Category, Channel, NotificationType, register
from notifications.services import notify
from notifications.timing import person_zone

INTAKE_REMINDER_TYPE = "intake.reminder"


def register_types() -> None:
    """Called from IntakeConfig.ready."""
    register(
        NotificationType(
            key=INTAKE_REMINDER_TYPE,
            category=Category.REMINDERS,
            channels=frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH}),
        )
    )


def send_reminder_email(*, record: CareRecord, facts: BookingFacts, reminder_id: int) -> None:
    """Notifies the client, once per claimed reminder. Call inside the transaction that
    records the reminder as sent."""
    path = reverse(
        "care-intake-client-fill", kwargs={"record_id": record.pk, "booking_id": facts.booking_id}
    )
    zone = person_zone(record.client)
    notify(
        recipient=record.client,
        type_key=INTAKE_REMINDER_TYPE,
        context={
            "record_id": record.pk,
            "booking_id": facts.booking_id,
            "practitioner_name": record.practitioner.display_name,
            "starts_at": dateformat.format(facts.starts_at.astimezone(zone), "l j F Y, H:i e"),
            "fill_path": path,
        },
        dedupe_key=f"intake-reminder:{reminder_id}",
        link=path,
        event_at=facts.starts_at,
    )
