"""Staff decisions on practitioners (approve, reject, suspend, reinstate) and the KYC
results that arrive by webhook."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from integrations.kyc.types import KycOutcome, KycResult
from marketplace.practitioners.errors import PractitionerError, TransitionRefused
from marketplace.practitioners.models import Credential, PractitionerProfile, VerificationCase
from marketplace.practitioners.notifications import practitioner_notify_status
from marketplace.practitioners.services.transitions import locked, status_transition

Status = PractitionerProfile.Status
KycStatus = VerificationCase.KycStatus


def _open_case(case: VerificationCase) -> VerificationCase:
    case = VerificationCase.objects.select_for_update().get(pk=case.pk)
    if case.decision != VerificationCase.Decision.OPEN:
        raise TransitionRefused("This case has already been decided.", code="decided")
    return case


def _reason_required(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise PractitionerError(f"Give a reason for {what}.", code="reason_required")
    return reason


@transaction.atomic
def verification_approve(
    *, case: VerificationCase, decided_by: User, override_reason: str = ""
) -> VerificationCase:
    """SUBMITTED → VERIFIED. Needs the KYC check to have passed, or, when it asks for a
    manual review, a staff reason for overriding it. A failed or unfinished check cannot
    be approved. The practitioner's pending credentials are accepted with it, and they are
    emailed."""
    practitioner = locked(case.practitioner)
    case = _open_case(case)
    if case.kyc_status == KycStatus.NEEDS_REVIEW:
        reason = _reason_required(override_reason, "approving after a manual identity review")
    elif case.kyc_status == KycStatus.PASSED:
        reason = override_reason.strip()
    else:
        raise TransitionRefused(
            f"The identity check is {case.get_kyc_status_display().lower()}: it must pass "
            "before approval.",
            code="kyc_not_passed",
        )
    status_transition(
        practitioner=practitioner, to_status=Status.VERIFIED, reason=reason, changed_by=decided_by
    )
    practitioner.credentials.filter(status=Credential.Status.PENDING).update(
        status=Credential.Status.ACCEPTED, updated_at=timezone.now()
    )
    case.decision = VerificationCase.Decision.APPROVED
    case.decision_reason = reason
    case.decided_at = timezone.now()
    case.decided_by = decided_by
    case.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by"])
    practitioner_notify_status(practitioner=practitioner, event="approved")
    return case


@transaction.atomic
def verification_reject(
    *, case: VerificationCase, decided_by: User, reason: str
) -> VerificationCase:
    """SUBMITTED → DRAFT with a reason the practitioner sees in the wizard and by email;
    they can fix things and submit again (a new case)."""
    reason = _reason_required(reason, "sending the profile back")
    practitioner = locked(case.practitioner)
    case = _open_case(case)
    status_transition(
        practitioner=practitioner, to_status=Status.DRAFT, reason=reason, changed_by=decided_by
    )
    case.decision = VerificationCase.Decision.REJECTED
    case.decision_reason = reason
    case.decided_at = timezone.now()
    case.decided_by = decided_by
    case.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by"])
    practitioner_notify_status(practitioner=practitioner, event="rejected")
    return case


@transaction.atomic
def practitioner_suspend(
    *, practitioner: PractitionerProfile, changed_by: User, reason: str
) -> PractitionerProfile:
    """Takes a practitioner out of search and booking (existing bookings are left to the
    booking policies), closing any open case as rejected."""
    reason = _reason_required(reason, "the suspension")
    practitioner = locked(practitioner)
    status_transition(
        practitioner=practitioner,
        to_status=Status.SUSPENDED,
        reason=reason,
        changed_by=changed_by,
    )
    practitioner.verification_cases.filter(decision=VerificationCase.Decision.OPEN).update(
        decision=VerificationCase.Decision.REJECTED,
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=changed_by,
    )
    practitioner_notify_status(practitioner=practitioner, event="suspended")
    return practitioner


@transaction.atomic
def practitioner_reinstate(
    *, practitioner: PractitionerProfile, changed_by: User, reason: str
) -> PractitionerProfile:
    """SUSPENDED → VERIFIED (they go live again themselves once they offer a service).
    Only someone verified before can be reinstated: a suspended submission starts over."""
    reason = _reason_required(reason, "reinstating")
    practitioner = locked(practitioner)
    if practitioner.status == Status.SUSPENDED and practitioner.verified_at is None:
        raise TransitionRefused(
            "This practitioner was never verified: they need to submit for review.",
            code="never_verified",
        )
    status_transition(
        practitioner=practitioner,
        to_status=Status.VERIFIED,
        reason=reason,
        changed_by=changed_by,
    )
    practitioner_notify_status(practitioner=practitioner, event="reinstated")
    return practitioner


@transaction.atomic
def kyc_result_apply(*, result: KycResult) -> VerificationCase:
    """Records a KYC result on its case. Converges whatever the delivery order: a result
    for another check of the same reference is refused (it would be a vendor bug), and
    one older than the result already applied is ignored. A decided case still records
    the latest result for the audit, but the decision stands. An unknown reference
    raises (kept on the event row)."""
    case = VerificationCase.objects.select_for_update().filter(reference=result.reference).first()
    if case is None:
        raise LookupError(f"no verification case {result.reference!r}")
    if case.kyc_check_id and case.kyc_check_id != result.check_id:
        raise LookupError(f"check {result.check_id!r} does not belong to case {result.reference!r}")
    if case.kyc_result_at is not None and result.occurred_at <= case.kyc_result_at:
        return case
    case.kyc_check_id = result.check_id
    case.kyc_status = {
        KycOutcome.PASSED: KycStatus.PASSED,
        KycOutcome.FAILED: KycStatus.FAILED,
        KycOutcome.NEEDS_REVIEW: KycStatus.NEEDS_REVIEW,
    }[result.outcome]
    case.kyc_reasons = list(result.reasons)
    case.kyc_result_at = result.occurred_at
    case.save(update_fields=["kyc_check_id", "kyc_status", "kyc_reasons", "kyc_result_at"])
    return case
