"""Writes for the care record."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from marketplace.clients.records.models import CareRecord
from marketplace.practitioners.models import PractitionerProfile
from privacy.audit import audit


def care_record_open(
    *,
    client: User,
    practitioner: PractitionerProfile,
    booking_id: int | None = None,
    contact_at: datetime | None = None,
) -> CareRecord:
    """The record for this client and practitioner, opening it if there is none
    (idempotent: a second confirmed booking, a retry or two confirmations racing all get
    the one record; the unique constraint decides a race). Opening is audited.
    `contact_at` (a session's end) moves the retention clock forward, never back."""
    existing = CareRecord.objects.filter(client=client, practitioner=practitioner).first()
    if existing is not None:
        if contact_at is not None:
            CareRecord.objects.filter(pk=existing.pk).filter(
                Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=contact_at)
            ).update(last_contact_at=contact_at)
        return existing
    try:
        with transaction.atomic():
            record = CareRecord.objects.create(
                client=client,
                practitioner=practitioner,
                opened_by_booking_id=booking_id,
                last_contact_at=contact_at or timezone.now(),
            )
            audit(
                actor=None,
                action="create",
                subject_user_id=client.pk,
                object_type="care_record",
                object_id=record.pk,
                details={"booking_id": booking_id} if booking_id is not None else None,
            )
    except IntegrityError:
        return CareRecord.objects.get(client=client, practitioner=practitioner)
    return record
