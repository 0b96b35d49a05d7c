"""Status transitions, submission, staff decisions and the KYC results they wait for."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from integrations.kyc.local import LocalKyc
from marketplace.practitioners.errors import (
    PractitionerError,
    SubmissionIncomplete,
    TransitionRefused,
)
from marketplace.practitioners.models import (
    Credential,
    PractitionerProfile,
    PractitionerStatusChange,
    VerificationCase,
)
from marketplace.practitioners.services import (
    practitioner_activate,
    practitioner_reinstate,
    practitioner_submit,
    practitioner_suspend,
    verification_approve,
    verification_reject,
)
from marketplace.practitioners.services.transitions import (
    ALLOWED_TRANSITIONS,
    status_transition,
)
from tests.accounts.factories import UserFactory
from tests.marketplace.practitioners.factories import (
    CredentialFactory,
    PractitionerProfileFactory,
    ServiceFactory,
    VerificationCaseFactory,
    ready_for_review,
)

pytestmark = pytest.mark.django_db

Status = PractitionerProfile.Status
KycStatus = VerificationCase.KycStatus


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.STAFF], email="staff@example.org")


@pytest.fixture
def draft():
    return PractitionerProfileFactory(status=Status.DRAFT, user__email="priya@example.org")


def test_only_listed_transitions_are_allowed(draft):
    every = [(a, b) for a in Status.values for b in Status.values if a != b]
    refused = [pair for pair in every if pair not in ALLOWED_TRANSITIONS]
    assert (Status.DRAFT, Status.VERIFIED) in refused
    assert (Status.DRAFT, Status.ACTIVE) in refused
    assert (Status.SUSPENDED, Status.ACTIVE) in refused
    for from_status, to_status in refused:
        PractitionerProfile.objects.filter(pk=draft.pk).update(status=from_status)
        draft.refresh_from_db()
        with pytest.raises(TransitionRefused):
            status_transition(practitioner=draft, to_status=to_status)
        draft.refresh_from_db()
        assert draft.status == from_status
    assert not PractitionerStatusChange.objects.exists()


def test_an_incomplete_draft_cannot_be_submitted_and_is_told_what_is_missing(
    draft, django_capture_on_commit_callbacks
):
    with pytest.raises(SubmissionIncomplete) as error:
        with django_capture_on_commit_callbacks(execute=True):
            practitioner_submit(practitioner=draft)

    assert "Add a profile photo." in error.value.gaps
    assert any("insurance" in gap for gap in error.value.gaps)
    assert any("identity" in gap for gap in error.value.gaps)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not VerificationCase.objects.exists()
    assert LocalKyc.calls == []


def test_an_expired_insurance_or_licence_blocks_submission(
    draft, django_capture_on_commit_callbacks
):
    ready_for_review(draft)
    Credential.objects.filter(kind=Credential.Kind.INSURANCE).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(SubmissionIncomplete) as error:
        with django_capture_on_commit_callbacks(execute=True):
            practitioner_submit(practitioner=draft)
    assert any("insurance" in gap for gap in error.value.gaps)


def test_submitting_starts_the_identity_check_and_its_result_arrives_by_webhook(
    draft, django_capture_on_commit_callbacks
):
    ready_for_review(draft)

    with django_capture_on_commit_callbacks(execute=True):
        case = practitioner_submit(practitioner=draft)

    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert [call.reference for call in LocalKyc.calls] == [case.reference]
    assert LocalKyc.calls[0].person.document_number == "P1234567"
    assert len(LocalKyc.deliveries) == 1 and LocalKyc.deliveries[0].is_delivered
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.PASSED
    assert case.kyc_check_id == LocalKyc.calls[0].check_id


def test_a_second_submission_is_refused(draft, django_capture_on_commit_callbacks):
    ready_for_review(draft)
    with django_capture_on_commit_callbacks(execute=True):
        practitioner_submit(practitioner=draft)
    with pytest.raises(TransitionRefused):
        with django_capture_on_commit_callbacks(execute=True):
            practitioner_submit(practitioner=draft)
    assert VerificationCase.objects.count() == 1


def test_approval_after_a_passed_check_verifies_accepts_credentials_and_emails(
    draft, staff, django_capture_on_commit_callbacks
):
    ready_for_review(draft)
    with django_capture_on_commit_callbacks(execute=True):
        case = practitioner_submit(practitioner=draft)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        verification_approve(case=case, decided_by=staff)

    draft.refresh_from_db()
    case.refresh_from_db()
    assert draft.status == Status.VERIFIED
    assert draft.verified_at is not None
    assert case.decision == VerificationCase.Decision.APPROVED and case.decided_by == staff
    assert set(draft.credentials.values_list("status", flat=True)) == {"accepted"}
    assert [message.to for message in mail.outbox] == [["priya@example.org"]]
    assert "verified" in mail.outbox[0].subject
    change = PractitionerStatusChange.objects.get(to_status=Status.VERIFIED)
    assert change.changed_by == staff and change.from_status == Status.SUBMITTED


def test_a_failed_check_cannot_be_approved(draft, staff, django_capture_on_commit_callbacks):
    ready_for_review(draft, document_number="FAIL-0001")
    with django_capture_on_commit_callbacks(execute=True):
        case = practitioner_submit(practitioner=draft)
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.FAILED

    with pytest.raises(TransitionRefused) as error:
        with django_capture_on_commit_callbacks(execute=True):
            verification_approve(case=case, decided_by=staff, override_reason="Looks fine to me")
    assert error.value.api_code == "kyc_not_passed"
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_a_pending_check_cannot_be_approved(staff, django_capture_on_commit_callbacks):
    case = VerificationCaseFactory(kyc_status=KycStatus.PENDING)
    with pytest.raises(TransitionRefused):
        with django_capture_on_commit_callbacks(execute=True):
            verification_approve(case=case, decided_by=staff)


def test_needs_review_is_approved_only_with_an_override_reason(
    draft, staff, django_capture_on_commit_callbacks
):
    ready_for_review(draft, document_number="REVIEW-42")
    with django_capture_on_commit_callbacks(execute=True):
        case = practitioner_submit(practitioner=draft)
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.NEEDS_REVIEW

    with pytest.raises(PractitionerError) as error:
        with django_capture_on_commit_callbacks(execute=True):
            verification_approve(case=case, decided_by=staff, override_reason="  ")
    assert error.value.api_code == "reason_required"

    with django_capture_on_commit_callbacks(execute=True):
        verification_approve(case=case, decided_by=staff, override_reason="Passport seen on video")
    case.refresh_from_db()
    assert case.decision_reason == "Passport seen on video"


def test_rejection_needs_a_reason_returns_to_draft_and_emails_it(
    draft, staff, django_capture_on_commit_callbacks
):
    ready_for_review(draft)
    with django_capture_on_commit_callbacks(execute=True):
        case = practitioner_submit(practitioner=draft)
    with pytest.raises(PractitionerError):
        with django_capture_on_commit_callbacks(execute=True):
            verification_reject(case=case, decided_by=staff, reason="")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        verification_reject(
            case=case, decided_by=staff, reason="The insurance is for another name."
        )

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.status_reason == "The insurance is for another name."
    assert "The insurance is for another name." in mail.outbox[0].body
    with pytest.raises(TransitionRefused):
        with django_capture_on_commit_callbacks(execute=True):
            verification_approve(case=case, decided_by=staff)
    # They can fix it and submit again: a new case and a new check.
    with django_capture_on_commit_callbacks(execute=True):
        second = practitioner_submit(practitioner=draft)
    assert second.reference != case.reference
    assert len(LocalKyc.calls) == 2


def test_going_live_needs_verification_and_an_active_service():
    practitioner = PractitionerProfileFactory(status=Status.VERIFIED)
    with pytest.raises(TransitionRefused) as error:
        practitioner_activate(practitioner=practitioner)
    assert error.value.api_code == "no_service"
    ServiceFactory(practitioner=practitioner)

    practitioner_activate(practitioner=practitioner)

    practitioner.refresh_from_db()
    assert practitioner.status == Status.ACTIVE
    with pytest.raises(TransitionRefused):
        practitioner_activate(practitioner=practitioner)


def test_a_draft_cannot_go_live_even_with_a_service(draft):
    ServiceFactory(practitioner=draft)
    with pytest.raises(TransitionRefused):
        practitioner_activate(practitioner=draft)


def test_suspension_and_reinstatement_need_reasons_and_email(
    staff, django_capture_on_commit_callbacks
):
    practitioner = PractitionerProfileFactory(
        status=Status.ACTIVE, verified_at=timezone.now(), user__email="sam@example.org"
    )
    with pytest.raises(PractitionerError):
        with django_capture_on_commit_callbacks(execute=True):
            practitioner_suspend(practitioner=practitioner, changed_by=staff, reason=" ")

    with django_capture_on_commit_callbacks(execute=True):
        practitioner_suspend(practitioner=practitioner, changed_by=staff, reason="Complaint review")
    practitioner.refresh_from_db()
    assert practitioner.status == Status.SUSPENDED
    with pytest.raises(TransitionRefused):
        practitioner_activate(practitioner=practitioner)

    with django_capture_on_commit_callbacks(execute=True):
        practitioner_reinstate(practitioner=practitioner, changed_by=staff, reason="Cleared")
    practitioner.refresh_from_db()
    assert practitioner.status == Status.VERIFIED
    assert [message.subject for message in mail.outbox] == [
        "Your Aeyia profile is suspended",
        "Your Aeyia profile is back",
    ]


def test_a_suspended_submission_cannot_be_reinstated_to_verified(
    draft, staff, django_capture_on_commit_callbacks
):
    ready_for_review(draft)
    with django_capture_on_commit_callbacks(execute=True):
        case = practitioner_submit(practitioner=draft)
    with django_capture_on_commit_callbacks(execute=True):
        practitioner_suspend(practitioner=draft, changed_by=staff, reason="Fraud suspected")
    case.refresh_from_db()
    assert case.decision == VerificationCase.Decision.REJECTED
    with pytest.raises(TransitionRefused):
        with django_capture_on_commit_callbacks(execute=True):
            practitioner_reinstate(practitioner=draft, changed_by=staff, reason="Oops")


def test_credentials_of_a_submitted_profile_are_locked(draft, django_capture_on_commit_callbacks):
    from marketplace.practitioners.services import credential_delete, credential_save

    ready_for_review(draft)
    with django_capture_on_commit_callbacks(execute=True):
        practitioner_submit(practitioner=draft)
    credential = draft.credentials.first()
    with pytest.raises(TransitionRefused):
        credential_delete(practitioner=draft, credential=credential)
    with pytest.raises(TransitionRefused):
        credential_save(
            practitioner=draft,
            kind="qualification",
            title="Diploma",
            issuer="College",
            number="",
            expires_on=None,
        )


def test_a_renewed_licence_goes_back_to_pending():
    from marketplace.practitioners.services import credential_save

    practitioner = PractitionerProfileFactory(status=Status.ACTIVE)
    licence = CredentialFactory(practitioner=practitioner)
    later = timezone.localdate() + dt.timedelta(days=700)
    credential_save(
        practitioner=practitioner,
        credential=licence,
        kind="licence",
        title=licence.title,
        issuer=licence.issuer,
        number=licence.number,
        expires_on=later,
    )
    licence.refresh_from_db()
    assert licence.expires_on == later and licence.status == Credential.Status.PENDING


def test_a_checked_licence_cannot_become_a_qualification_to_escape_expiry():
    from marketplace.practitioners.services import credential_save

    practitioner = PractitionerProfileFactory(status=Status.ACTIVE)
    licence = CredentialFactory(practitioner=practitioner)
    with pytest.raises(PractitionerError) as error:
        credential_save(
            practitioner=practitioner,
            credential=licence,
            kind="qualification",
            title=licence.title,
            issuer=licence.issuer,
            number=licence.number,
            expires_on=None,
        )
    assert error.value.api_code == "kind_locked"
    licence.refresh_from_db()
    assert licence.kind == Credential.Kind.LICENCE
