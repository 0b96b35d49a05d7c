"""Privacy operations. Erasure runs every registered eraser in one transaction."""

import logging
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from privacy.audit import audit
from privacy.models import AuditEntry
from privacy.registry import ErasureSubject, registered_erasers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureReport:
    counts: dict[str, int]
    user_anonymised: bool
    audit_entry: AuditEntry

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)


@transaction.atomic
def person_erase(*, email: str, requested_by: User | None) -> ErasureReport:
    """Erases a person on request (GDPR art. 17): every registered eraser runs for the
    email and the account that has it, all in one transaction (one failing rolls all
    back), then an audit entry records who asked and which erasers ran with their
    counts. Nothing personal goes into the entry. Accounts are anonymised, never
    deleted: ledger, payment and booking rows point at them with PROTECT."""
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    subject = ErasureSubject(email=email, user=user)
    counts = {
        registration.name: int(registration.eraser(subject))
        for registration in registered_erasers()
    }
    entry = audit(
        actor=requested_by,
        action=AuditEntry.Action.ERASURE,
        subject_user_id=getattr(user, "pk", None),
        object_type="user" if user is not None else "",
        object_id=getattr(user, "pk", None),
        details={"erasers": counts},
    )
    logger.info(
        "person erased",
        extra={"audit_entry": entry.pk, "requested_by": entry.actor_id, "erasers": counts},
    )
    return ErasureReport(counts=counts, user_anonymised=user is not None, audit_entry=entry)
