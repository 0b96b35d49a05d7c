"""Confirming and cancelling a booking tells both people, with a calendar invitation."""

import pytest
from django.core import mail
from icalendar import Calendar

from commerce.bookings.services import booking_cancel, booking_confirm_with_credits, booking_hold
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import bookable_service, slot
from tests.commerce.credits.factories import give_credits

pytestmark = pytest.mark.django_db


def _calendar_of(message) -> Calendar:
    for attachment in message.attachments:
        content = (
            attachment[1] if isinstance(attachment, tuple) else attachment.get_payload(decode=True)
        )
        if isinstance(content, bytes):
            content = content.decode()
        if "BEGIN:VCALENDAR" in content:
            return Calendar.from_ical(content)
    raise AssertionError(f"no calendar attached to {message.subject!r}")


def test_confirming_then_cancelling_sends_requests_then_cancellations(
    django_capture_on_commit_callbacks,
):
    service = bookable_service()
    client = UserFactory()
    give_credits(user=client, amount=10)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_hold(client=client, service=service, starts_at=slot(), pay_with="credits")
        booking = booking_confirm_with_credits(booking=booking)

    practitioner_email = service.practitioner.user.email
    confirmations = list(mail.outbox)
    assert {tuple(m.to) for m in confirmations} == {(client.email,), (practitioner_email,)}
    for message in confirmations:
        assert _calendar_of(message)["METHOD"] == "REQUEST"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, by=client, reason="Feeling better")
    cancellations = list(mail.outbox)
    assert {tuple(m.to) for m in cancellations} == {(client.email,), (practitioner_email,)}
    for message in cancellations:
        assert _calendar_of(message)["METHOD"] == "CANCEL"
