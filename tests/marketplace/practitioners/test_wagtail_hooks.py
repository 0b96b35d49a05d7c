"""The verification queue in the Wagtail admin: staff see open cases oldest first,
approve (after a passed check) or send back with a reason, suspend and reinstate;
editors without staff status cannot."""

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from marketplace.practitioners.models import PractitionerProfile, VerificationCase
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.practitioners.factories import (
    CredentialFactory,
    PractitionerProfileFactory,
    VerificationCaseFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = "/cms/practitioner-verification/"
Status = PractitionerProfile.Status


@pytest.fixture
def staff_client(client):
    user = UserFactory(roles=[Role.STAFF], email="staff@example.org")
    enrol_totp(user)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def case():
    practitioner = PractitionerProfileFactory(
        status=Status.SUBMITTED, display_name="Nia New", user__email="nia@example.org"
    )
    CredentialFactory(practitioner=practitioner, status="pending")
    return VerificationCaseFactory(practitioner=practitioner)


def test_staff_see_the_queue_and_a_case(staff_client, case):
    VerificationCaseFactory(decision=VerificationCase.Decision.APPROVED)
    queue = staff_client.get(QUEUE)
    assert queue.status_code == 200
    assert "Nia New" in queue.content.decode()
    assert queue.content.decode().count("/cms/practitioner-verification/") >= 1
    detail = staff_client.get(f"{QUEUE}{case.pk}/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Registered psychotherapist" in page and "Passed" in page
    assert "Practitioner verification" in staff_client.get("/cms/").content.decode()


def test_approve_verifies_and_emails(staff_client, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"{QUEUE}{case.pk}/approve/", {"approve-reason": ""})

    assert response.status_code == 302 and response["Location"] == QUEUE
    case.refresh_from_db()
    assert case.practitioner.status == Status.VERIFIED
    assert case.decided_by == staff_client.user
    assert [message.to for message in mail.outbox] == [["nia@example.org"]]


def test_approving_before_the_check_passes_is_refused_with_a_message(staff_client):
    case = VerificationCaseFactory(kyc_status=VerificationCase.KycStatus.PENDING)
    response = staff_client.post(f"{QUEUE}{case.pk}/approve/", {"approve-reason": ""}, follow=True)
    assert "must pass before approval" in response.content.decode()
    case.refresh_from_db()
    assert case.decision == VerificationCase.Decision.OPEN


def test_reject_needs_a_reason_and_sends_it(staff_client, case, django_capture_on_commit_callbacks):
    staff_client.post(f"{QUEUE}{case.pk}/reject/", {"reject-reason": ""})
    case.refresh_from_db()
    assert case.decision == VerificationCase.Decision.OPEN

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"{QUEUE}{case.pk}/reject/", {"reject-reason": "Photo is blurred."})

    case.refresh_from_db()
    assert case.decision == VerificationCase.Decision.REJECTED
    assert case.practitioner.status == Status.DRAFT
    assert "Photo is blurred." in mail.outbox[0].body


def test_suspend_and_reinstate(staff_client, django_capture_on_commit_callbacks):
    practitioner = PractitionerProfileFactory(status=Status.ACTIVE, verified_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            f"{QUEUE}practitioners/{practitioner.pk}/suspend/", {"suspend-reason": "Complaint"}
        )
    practitioner.refresh_from_db()
    assert practitioner.status == Status.SUSPENDED
    assert "Complaint" in staff_client.get(QUEUE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            f"{QUEUE}practitioners/{practitioner.pk}/reinstate/", {"reinstate-reason": "Cleared"}
        )
    practitioner.refresh_from_db()
    assert practitioner.status == Status.VERIFIED


def test_editors_without_staff_status_cannot_use_it(client, case):
    editor = UserFactory(roles=[Role.EDITOR])
    enrol_totp(editor)
    client.force_login(editor)
    # Wagtail answers a refused admin view by sending the person back to the dashboard.
    for response in (client.get(QUEUE), client.post(f"{QUEUE}{case.pk}/approve/")):
        assert response.status_code == 302 and response["Location"] == "/cms/"
    assert "Practitioner verification" not in client.get("/cms/").content.decode()
    case.refresh_from_db()
    assert case.decision == VerificationCase.Decision.OPEN


def test_an_unknown_case_is_404(staff_client):
    assert staff_client.get(f"{QUEUE}999999/").status_code == 404
