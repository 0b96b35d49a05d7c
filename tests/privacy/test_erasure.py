"""Erasing a person through the privacy registry: nothing that names them is left on a
certificate, a booking, a lead, a contact message or their practitioner identity, the
books stay whole, and the run is audited without personal data."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from cms.courses.models import Certificate
from commerce.bookings.models import Booking
from commerce.partners.models import PoolInvite
from integrations.klaviyo.local import LocalKlaviyo
from marketing_site.leads.models import Lead, LeadFormSubmission
from marketing_site.leads.services import person_erase as leads_person_erase
from marketplace.practitioners.models import (
    Credential,
    KycEvent,
    PractitionerProfile,
    VerificationCase,
)
from notifications.models import ContactPoint
from privacy import registry
from privacy.models import AuditEntry, AuditLogIsAppendOnly
from privacy.services import person_erase
from tests.accounts.factories import UserFactory, enrol_totp
from tests.cms.courses.factories import CourseFactory, EnrolmentFactory
from tests.commerce.partners.factories import PoolInviteFactory
from tests.marketing_site.leads.factories import LeadFactory, contact_page
from tests.marketplace.practitioners.factories import (
    PractitionerProfileFactory,
    ServiceFactory,
    VerificationCaseFactory,
    ready_for_review,
)

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.org"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    LocalKlaviyo.reset()
    yield
    LocalKlaviyo.reset()


def _certificate(user) -> Certificate:
    course = CourseFactory(title="Sleep well")
    return Certificate.objects.create(
        enrolment=EnrolmentFactory(course=course, user=user),
        learner_name="Ada Lovelace",
        course_title="Sleep well",
        instructor_name="Dr Grace",
        issued_at=timezone.now(),
    )


def _booking(*, client, service, reason: str) -> Booking:
    starts_at = timezone.now() + dt.timedelta(days=3)
    return Booking.objects.create(
        client=client,
        service=service,
        practitioner=service.practitioner,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        blocked_start=starts_at,
        blocked_end=starts_at + dt.timedelta(hours=1),
        status=Booking.Status.CANCELLED,
        pay_with="card",
        price_amount=service.price,
        price_currency="GBP",
        cancelled_at=timezone.now(),
        cancelled_by=client,
        cancellation_reason=reason,
    )


def _raw_columns(model, pk) -> str:
    """Every column of one row as the database holds it, joined: what a dump would show."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return " ".join(str(value) for value in cursor.fetchone())


def test_erasure_leaves_no_name_reason_message_or_identity_behind(
    django_capture_on_commit_callbacks,
):
    page = contact_page()  # builds the home page before the course tree needs a root
    user = UserFactory(email=EMAIL, first_name="Ada", last_name="Lovelace")
    certificate = _certificate(user)
    service = ServiceFactory()
    booking = _booking(client=user, service=service, reason="Ada's mother is in hospital")
    ContactPoint.objects.create(user=user, phone_number="+447700900123", sms_opt_in=True)
    LeadFactory(email=EMAIL, name="Ada Lovelace", message="I get panic attacks at night")
    submission = LeadFormSubmission.objects.create(
        page=page,
        form_data={"your_name": "Ada", "email": EMAIL, "message": "panic attacks"},
    )
    staff = UserFactory(roles=[Role.STAFF])

    with django_capture_on_commit_callbacks(execute=True):
        report = person_erase(email="ADA@example.org", requested_by=staff)

    certificate.refresh_from_db()
    assert certificate.learner_name == ""
    assert certificate.is_holder_erased
    verify = APIClient().get(reverse("certificate-verify", args=[certificate.code]))
    html = verify.content.decode()
    assert verify.status_code == 200 and "This certificate is genuine." in html
    assert "Ada" not in html and "Lovelace" not in html
    assert "A learner whose account was erased" in html
    api = APIClient().get(f"/api/v1/certificates/{certificate.code}/").json()
    assert api["learner_name"] is None and api["learner_erased"] is True
    assert api["course_title"] == "Sleep well"
    assert "Ada" not in str(api) and "Lovelace" not in str(api)

    booking.refresh_from_db()
    assert booking.cancellation_reason == ""
    assert booking.client_id == user.pk  # the books stay whole
    assert not ContactPoint.objects.filter(user=user).exists()
    assert not Lead.objects.exists()
    assert not LeadFormSubmission.objects.filter(pk=submission.pk).exists()
    assert LocalKlaviyo.deletions == [EMAIL]

    user.refresh_from_db()
    assert user.email == f"erased-{user.pk}@invalid"
    assert not user.is_active and not user.groups.exists()
    assert "Lovelace" not in _raw_columns(type(user), user.pk)

    entry = AuditEntry.objects.get()
    assert entry == report.audit_entry
    assert (entry.action, entry.actor_id, entry.subject_user_id) == ("erasure", staff.pk, user.pk)
    assert entry.erasers["certificates"] == 1
    assert entry.erasers["bookings"] == 1  # the reason
    # The phone number and SMS consent moved to notifications.ContactPoint (decision 0038).
    assert entry.erasers["notifications"] >= 1
    assert entry.erasers["leads"] == 1
    assert set(entry.erasers) == {
        registration.name for registration in registry.registered_erasers()
    }
    stored = _raw_columns(AuditEntry, entry.pk).lower()
    assert "ada" not in stored and "lovelace" not in stored and "example.org" not in stored


def test_erasing_a_practitioner_removes_identity_files_and_kyc_bodies(
    django_capture_on_commit_callbacks, settings
):
    practitioner = PractitionerProfileFactory(user=UserFactory(email=EMAIL))
    ready_for_review(practitioner, document_number="P7654321")
    practitioner.refresh_from_db()
    files = [Path(practitioner.photo.path)] + [
        Path(settings.PRIVATE_MEDIA_ROOT) / credential.document.name
        for credential in practitioner.credentials.exclude(document="")
    ]
    assert files and all(path.exists() for path in files)
    case = VerificationCaseFactory(practitioner=practitioner, decision_reason="Passport blurred")
    KycEvent.objects.create(
        event_id="evt-1",
        check_id="chk-1",
        reference=case.reference,
        body='{"name": "Priya Patel", "document": "P7654321"}',
    )

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(email=EMAIL, requested_by=None)

    profile = PractitionerProfile.objects.get(pk=practitioner.pk)
    assert (profile.legal_given_name, profile.legal_family_name) == ("", "")
    assert (profile.date_of_birth, profile.identity_document_number, profile.country) == (
        None,
        "",
        "",
    )
    assert profile.display_name == "Former practitioner" and profile.bio == ""
    assert profile.status == PractitionerProfile.Status.SUSPENDED
    assert profile.status_changes.order_by("-pk").first().reason == "Account erased on request."
    assert not profile.photo
    assert not any(path.exists() for path in files)
    assert not Credential.objects.filter(practitioner=profile).exclude(document="").exists()
    raw = _raw_columns(PractitionerProfile, profile.pk)
    assert "P7654321" not in raw and "Priya" not in raw and "Patel" not in raw
    assert VerificationCase.objects.get(pk=case.pk).decision_reason == ""
    assert KycEvent.objects.get(event_id="evt-1").body == ""


def test_a_failing_eraser_rolls_the_whole_erasure_back(monkeypatch):
    user = UserFactory(email=EMAIL, first_name="Ada")
    certificate = _certificate(user)
    LeadFactory(email=EMAIL, message="hello")

    def broken(subject):
        raise RuntimeError("storage unavailable")

    monkeypatch.setitem(
        registry._erasers,
        "broken",
        registry.Registration(name="broken", eraser=broken, models=(), order=500),
    )

    with pytest.raises(RuntimeError):
        person_erase(email=EMAIL, requested_by=None)

    certificate.refresh_from_db()
    user.refresh_from_db()
    assert certificate.learner_name == "Ada Lovelace" and not certificate.is_holder_erased
    assert Lead.objects.filter(email=EMAIL).exists()
    assert user.email == EMAIL and user.is_active
    assert not AuditEntry.objects.exists()


def test_someone_without_an_account_is_erased_by_email_and_audited():
    LeadFactory(email=EMAIL, message="call me")

    result = leads_person_erase(email=" Ada@Example.org ", requested_by=None)

    assert (result.leads_deleted, result.user_anonymised) == (1, False)
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.subject_user_id) == (None, None)


def test_the_audit_log_is_append_only():
    entry = person_erase(email=EMAIL, requested_by=None).audit_entry

    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_id=1)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()


def test_the_staff_screen_erases_through_the_registry(client):
    staff = UserFactory(roles=[Role.STAFF])
    enrol_totp(staff)
    client.force_login(staff)
    user = UserFactory(email=EMAIL, first_name="Ada", last_name="Lovelace")
    certificate = _certificate(user)

    response = client.post(reverse("leads_admin_erase"), {"email": EMAIL, "confirm": "yes"})

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.is_holder_erased and certificate.learner_name == ""
    assert AuditEntry.objects.get().actor_id == staff.pk


def test_invitations_to_the_email_go_and_an_accepted_one_loses_the_address():
    user = UserFactory(email=EMAIL)
    pending = PoolInviteFactory(email="Ada@Example.org")
    accepted = PoolInviteFactory(email=EMAIL)
    PoolInvite.objects.filter(pk=accepted.pk).update(accepted_user=user, accepted_at=timezone.now())
    someone_else = PoolInviteFactory(email="grace@example.org")

    person_erase(email=EMAIL, requested_by=None)

    assert not PoolInvite.objects.filter(pk=pending.pk).exists()
    accepted.refresh_from_db()
    assert accepted.email == f"erased-{accepted.pk}@invalid"
    assert accepted.accepted_user_id == user.pk
    assert PoolInvite.objects.get(pk=someone_else.pk).email == "grace@example.org"


def test_an_editors_wagtail_profile_sessions_and_subscriptions_go():
    from wagtail.models import PageSubscription
    from wagtail.users.models import UserProfile

    page = contact_page()
    editor = UserFactory(email=EMAIL, roles=[Role.EDITOR])
    UserProfile.get_for_user(editor)
    PageSubscription.objects.create(user=editor, page=page, comment_notifications=True)
    revision = page.save_revision(user=editor)

    person_erase(email=EMAIL, requested_by=None)

    assert not UserProfile.objects.filter(user=editor).exists()
    assert not PageSubscription.objects.filter(user=editor).exists()
    # The editorial history stays, pointing at the anonymised account.
    revision.refresh_from_db()
    assert revision.user_id == editor.pk
