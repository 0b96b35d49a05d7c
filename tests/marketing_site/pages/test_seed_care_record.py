"""`manage.py seed_demo` gives the demo client a care record with the demo practitioner,
made through the real services (consents signed, sessions booked and paid with credits,
intake answered, a signed and shared note, a shared PDF, a conversation); running it
twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from commerce.bookings.models import Booking
from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available
from marketplace.clients.consent.models import ConsentSignature, ConsentVersion
from marketplace.clients.consent.selectors import consent_missing_for
from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.services import document_chunks
from marketplace.clients.intake.models import IntakeResponse, ServiceIntake
from marketplace.clients.messaging.models import Message, Thread
from marketplace.clients.notes.models import SessionNote
from marketplace.clients.records.models import CareRecord
from marketplace.practitioners.models import PractitionerProfile

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = (
        CareRecord,
        Booking,
        ConsentVersion,
        ConsentSignature,
        ServiceIntake,
        IntakeResponse,
        SessionNote,
        ClientDocument,
        Thread,
        Message,
        CreditTransaction,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_opens_one_care_record_with_every_part_and_only_its_parties_read_it(client):
    first = _seed()
    counts = _counts()
    second = _seed()
    assert _counts() == counts

    for output in (first, second):
        assert "/account/care/" in output
        assert "/dashboard/practice/clients/" in output

    clara = User.objects.get(email="client@aeyia.local")
    priya = PractitionerProfile.objects.get(user__email="practitioner@aeyia.local")
    record = CareRecord.objects.get(client=clara, practitioner=priya)
    assert CareRecord.objects.count() == 1

    # Consents: every published document signed, nothing missing for an online booking.
    assert ConsentVersion.objects.count() == 3
    assert ConsentSignature.objects.filter(client=clara).count() == 3
    assert consent_missing_for(client=clara, practitioner=priya, online=True) == []

    # Sessions: one past and one next week, both confirmed and paid with demo credits,
    # the welcome credits untouched; the first opened the record.
    now = timezone.now()
    bookings = Booking.objects.filter(client=clara, practitioner=priya).order_by("starts_at")
    assert [b.status for b in bookings] == [Booking.Status.CONFIRMED] * 2
    past, upcoming = bookings
    assert past.starts_at < now < upcoming.starts_at
    assert 5 <= (upcoming.starts_at - now).days <= 14
    assert all(b.credit_spend_id for b in bookings)
    assert record.opened_by_booking_id == past.pk
    assert credits_available(user=clara) == 3

    # Intake: the psychotherapy service asks for the demo form; Clara answered it.
    link = ServiceIntake.objects.get(service=upcoming.service)
    assert link.form.practitioner == priya
    response = IntakeResponse.objects.get(record=record)
    assert response.booking_id == upcoming.pk
    assert "switch off" in response.answers[link.form.versions.get().questions[0]["id"]]

    # The note on the past session: SOAP, signed, shared.
    note = SessionNote.objects.get(record=record)
    assert (note.booking_id, note.format) == (past.pk, SessionNote.Format.SOAP)
    assert note.is_signed and note.shared_at is not None

    # The shared PDF decrypts to a PDF.
    document = ClientDocument.objects.get(record=record)
    assert document.uploaded_by == priya.user
    assert document.visibility == ClientDocument.Visibility.SHARED_WITH_CLIENT
    data = b"".join(document_chunks(document))
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")

    # One thread, one message each way.
    thread = Thread.objects.get(record=record)
    assert sorted(m.sender_id for m in thread.messages.all()) == sorted([clara.pk, priya.user_id])

    client.force_login(clara)
    page = client.get(f"/account/care/{record.pk}/")
    assert page.status_code == 200
    assert "Priya Patel" in page.content.decode()
    for other in ("editor@aeyia.local", "staff@aeyia.local", "partner@aeyia.local"):
        client.force_login(User.objects.get(email=other))
        assert client.get(f"/account/care/{record.pk}/").status_code == 404, other
