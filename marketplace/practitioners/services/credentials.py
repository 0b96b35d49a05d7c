"""Credentials (licences, qualifications, insurance) and the reminders before they
expire."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.practitioners.errors import PractitionerError, TransitionRefused
from marketplace.practitioners.models import (
    Credential,
    CredentialReminder,
    PractitionerProfile,
)
from marketplace.practitioners.notifications import credential_notify_expiry
from marketplace.practitioners.services.onboarding import ensure_editable
from marketplace.practitioners.services.transitions import locked

logger = logging.getLogger(__name__)

Status = PractitionerProfile.Status
# Reminders go to practitioners who are, or are about to be, seen by clients.
REMINDED_STATUSES = (Status.SUBMITTED, Status.VERIFIED, Status.ACTIVE)
# days_before of the notice sent once a licence or insurance has lapsed.
EXPIRED_NOTICE = 0


@transaction.atomic
def credential_save(
    *,
    practitioner: PractitionerProfile,
    kind: str,
    title: str,
    issuer: str,
    number: str,
    expires_on: date | None,
    document: File | None = None,
    credential: Credential | None = None,
) -> Credential:
    """Adds a credential, or updates one of the practitioner's own (a renewal). Any
    change needs staff to look again, so it goes back to pending. Licences and insurance
    need an expiry date; the document (already checked by the form) is kept privately."""
    practitioner = locked(practitioner)
    ensure_editable(practitioner)
    if credential is None:
        credential = Credential(practitioner=practitioner)
    elif credential.practitioner_id != practitioner.pk:
        raise TransitionRefused("No such credential.", code="not_found")
    elif credential.kind != kind and practitioner.status != Status.DRAFT:
        # A verified licence turned into a "qualification" would escape the expiry rule.
        raise PractitionerError(
            "A checked credential keeps its type: add a new one instead.", code="kind_locked"
        )
    credential.kind = kind
    credential.title = title.strip()
    credential.issuer = issuer.strip()
    credential.number = number.strip()
    credential.expires_on = expires_on
    credential.status = Credential.Status.PENDING
    if document is not None:
        old = credential.document.name if credential.document else ""
        credential.document.save(document.name or "document", document, save=False)
        if old:
            storage = credential.document.storage
            transaction.on_commit(lambda: storage.delete(old))
    credential.full_clean(exclude=["practitioner"])
    credential.save()
    return credential


@transaction.atomic
def credential_delete(*, practitioner: PractitionerProfile, credential: Credential) -> None:
    """Removes one of the practitioner's credentials (and its document) while a draft.
    After verification a lapsed licence is renewed, not deleted, so it cannot be hidden."""
    practitioner = locked(practitioner)
    ensure_editable(practitioner, statuses=(Status.DRAFT,))
    if credential.practitioner_id != practitioner.pk:
        raise TransitionRefused("No such credential.", code="not_found")
    name = credential.document.name if credential.document else ""
    storage = credential.document.storage
    credential.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _lead_for(days_left: int, leads: list[int]) -> int | None:
    """The reminder due `days_left` days before expiry: the shortest configured lead
    that has been reached (a run that missed the 30-day mark at 5 days left sends the
    7-day reminder only); EXPIRED_NOTICE once expired; None when nothing is due."""
    if days_left < 0:
        return EXPIRED_NOTICE
    reached = [lead for lead in leads if days_left <= lead]
    return min(reached) if reached else None


def credential_reminders_send(*, today: date | None = None) -> int:
    """Emails each practitioner whose licence or insurance expires within a configured
    lead (settings.CREDENTIAL_REMINDER_DAYS), and once when it has expired. Each reminder
    is claimed by inserting its unique row in the same transaction that sends it: a run
    that repeats, or two at once, sends it once; a failed send rolls the claim back so the
    next run tries again. Returns how many were sent."""
    today = today or timezone.localdate()
    leads = sorted({int(days) for days in settings.CREDENTIAL_REMINDER_DAYS if int(days) > 0})
    horizon = today + timedelta(days=max(leads, default=0))
    candidates = (
        Credential.objects.filter(
            kind__in=Credential.EXPIRING_KINDS,
            expires_on__lte=horizon,
            practitioner__status__in=REMINDED_STATUSES,
        )
        .exclude(status=Credential.Status.REJECTED)
        .select_related("practitioner__user")
        .order_by("expires_on", "pk")
    )
    sent = 0
    for credential in candidates.iterator():
        if credential.expires_on is None:  # excluded by the query; narrows the type
            continue
        days_left = (credential.expires_on - today).days
        lead = _lead_for(days_left, leads)
        if lead is None:
            continue
        try:
            with transaction.atomic():
                CredentialReminder.objects.create(
                    credential=credential, expires_on=credential.expires_on, days_before=lead
                )
                credential_notify_expiry(credential=credential, days_left=days_left, lead=lead)
        except IntegrityError:
            continue  # already sent by an earlier or concurrent run
        except Exception:
            logger.exception("credential reminder for %s failed", credential.pk)
            continue
        sent += 1
    return sent
