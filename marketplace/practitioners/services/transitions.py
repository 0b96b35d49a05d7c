"""The one place a practitioner's status changes. Every transition the platform allows
is listed here; anything else is refused, and every change is written to the audit log."""

from django.utils import timezone

from accounts.models import User
from marketplace.practitioners.errors import TransitionRefused
from marketplace.practitioners.models import PractitionerProfile, PractitionerStatusChange

Status = PractitionerProfile.Status

ALLOWED_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (Status.DRAFT, Status.SUBMITTED),  # the practitioner submits for review
        (Status.SUBMITTED, Status.VERIFIED),  # staff approve
        (Status.SUBMITTED, Status.DRAFT),  # staff reject: back to the wizard
        (Status.VERIFIED, Status.ACTIVE),  # the practitioner goes live with a service
        (Status.SUBMITTED, Status.SUSPENDED),  # staff suspend
        (Status.VERIFIED, Status.SUSPENDED),
        (Status.ACTIVE, Status.SUSPENDED),
        (Status.SUSPENDED, Status.VERIFIED),  # staff reinstate
    }
)


def status_transition(
    *,
    practitioner: PractitionerProfile,
    to_status: str,
    reason: str = "",
    changed_by: User | None = None,
) -> PractitionerProfile:
    """Moves a practitioner (already locked by the caller) to `to_status` if the table
    allows it; raises TransitionRefused otherwise."""
    from_status = practitioner.status
    if (from_status, to_status) not in ALLOWED_TRANSITIONS:
        raise TransitionRefused(
            f"A {Status(from_status).label.lower()} practitioner cannot become "
            f"{Status(to_status).label.lower()}.",
        )
    practitioner.status = to_status
    practitioner.status_reason = reason
    fields = ["status", "status_reason"]
    if to_status == Status.VERIFIED and practitioner.verified_at is None:
        practitioner.verified_at = timezone.now()
        fields.append("verified_at")
    practitioner.save(update_fields=fields)
    PractitionerStatusChange.objects.create(
        practitioner=practitioner,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=changed_by,
    )
    return practitioner


def locked(practitioner: PractitionerProfile) -> PractitionerProfile:
    """The practitioner's row, locked for the rest of the transaction (fresh status)."""
    return PractitionerProfile.objects.select_for_update().get(pk=practitioner.pk)
