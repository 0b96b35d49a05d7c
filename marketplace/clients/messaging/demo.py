"""Demo conversation for the embedded default (idempotent): the demo client writes to
their practitioner and she replies, through the messaging services."""

from marketplace.clients.messaging.models import Thread
from marketplace.clients.messaging.services import message_post, thread_start
from marketplace.clients.records.access import record_access
from marketplace.clients.records.models import CareRecord

DEMO_SUBJECT = "Before next week's session"
DEMO_CLIENT_MESSAGE = (
    "Hi Priya, I tried the grounding exercise most evenings and it helped me settle. "
    "Could we talk about work next week?"
)
DEMO_PRACTITIONER_REPLY = (
    "Thank you, Clara. I'm glad it helped. Yes, let's start there next week; bring any "
    "notes you made."
)


def seed_conversation(*, record: CareRecord) -> Thread:
    """One thread started by the client with one reply from the practitioner, unless the
    record already has a conversation."""
    existing = Thread.objects.filter(record=record).order_by("pk").first()
    if existing is not None:
        return existing
    client_access = record_access(user=record.client, record_id=record.pk)
    posted = thread_start(
        access=client_access,
        user=record.client,
        subject=DEMO_SUBJECT,
        body=DEMO_CLIENT_MESSAGE,
    )
    practitioner = record.practitioner.user
    message_post(
        access=record_access(user=practitioner, record_id=record.pk),
        thread=posted.thread,
        user=practitioner,
        body=DEMO_PRACTITIONER_REPLY,
    )
    return posted.thread
