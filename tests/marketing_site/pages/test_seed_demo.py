"""`manage.py seed_demo` (run by `make run`): demo people for every role, the home page,
plans, credits and a sponsor voucher, and the demo client's care record with the demo
practitioner made through the real services (consents signed, sessions booked and paid
with credits, intake answered, a signed and shared note, a shared PDF, a conversation);
running it twice changes nothing. One test: seeding everything twice is the slow part."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Site

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_roles
from commerce.bookings.models import Booking
from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available
from commerce.partners.models import VoucherCode
from marketing_site.pages.models import HomePage
from marketplace.clients.consent.models import ConsentSignature, ConsentVersion
from marketplace.clients.consent.selectors import consent_missing_for
from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.services import document_chunks
from marketplace.clients.intake.models import IntakeResponse, ServiceIntake
from marketplace.clients.messaging.models import Message, Thread
from marketplace.clients.notes.models import SessionNote
from marketplace.clients.records.access import records_for
from marketplace.clients.records.models import CareRecord
from marketplace.practitioners.models import PractitionerProfile

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_complete_and_idempotent(client):
    first = _seed()
    counts = (User.objects.count(), HomePage.objects.count(), VoucherCode.objects.count())
    care_counts = _care_counts()
    second = _seed()
    assert _care_counts() == care_counts

    assert (User.objects.count(), HomePage.objects.count(), VoucherCode.objects.count()) == counts
    for output in (first, second):
        assert "Demo logins" in output
        assert "/accounts/login/" in output
        assert "CALM-2026" in output
        assert "/account/care/" in output
        assert "/dashboard/practice/clients/" in output

    expected = {
        "client@aeyia.local": Role.CLIENT,
        "practitioner@aeyia.local": Role.PRACTITIONER,
        "editor@aeyia.local": Role.EDITOR,
        "staff@aeyia.local": Role.STAFF,
        "partner@aeyia.local": Role.PARTNER,
    }
    for email, role in expected.items():
        user = User.objects.get(email=email)
        assert role in user_roles(user=user), email
        assert user.emailaddress_set.get().verified

    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert credits_available(user=User.objects.get(email="client@aeyia.local")) == 3
    _assert_demo_care_record(client)


def _care_counts() -> dict[str, int]:
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


def _assert_demo_care_record(client) -> None:
    """The demo client's care record with Priya and every part of it; only its parties
    open it."""
    clara = User.objects.get(email="client@aeyia.local")
    priya = PractitionerProfile.objects.get(user__email="practitioner@aeyia.local")
    record = CareRecord.objects.get(client=clara, practitioner=priya)
    assert CareRecord.objects.count() == 1
    assert list(records_for(priya.user)) == [record]  # her /dashboard/practice/clients/

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
