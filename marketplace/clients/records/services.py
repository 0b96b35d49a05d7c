"""Writes for the care record."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from marketplace.clients.records.errors import BreakGlassRefused
from marketplace.clients.records.models import BreakGlassGrant, CareRecord
from marketplace.practitioners.models import PractitionerProfile
from privacy.audit import audit

BREAK_GLASS_REASON_MIN = 10
BREAK_GLASS_REASON_MAX = 1000


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


def break_glass_open(*, staff: User, record_id: int, reason: str, request=None) -> BreakGlassGrant:
    """Opens a member of staff's emergency access to one record for BREAK_GLASS_MINUTES:
    a grant (the reason encrypted), an audit row (action break_glass, never the reason)
    and, after commit, an email telling the client who (Aeyia staff) and why. A reason is
    required; only staff (is_staff) may ask. Each call opens a new window."""
    if not (staff.is_authenticated and staff.is_active and staff.is_staff):
        raise BreakGlassRefused("Only Aeyia staff can use emergency access.", code="not_staff")
    reason = (reason or "").strip()
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise BreakGlassRefused(
            f"Say why you need to read this record (at least {BREAK_GLASS_REASON_MIN} "
            "characters): the client is told.",
            code="reason_required",
        )
    if len(reason) > BREAK_GLASS_REASON_MAX:
        raise BreakGlassRefused(
            f"Keep the reason under {BREAK_GLASS_REASON_MAX} characters.", code="reason_too_long"
        )
    with transaction.atomic():
        record = CareRecord.objects.select_related("client").filter(pk=record_id).first()
        if record is None:
            raise BreakGlassRefused("There is no care record with this number.", code="not_found")
        now = timezone.now()
        grant = BreakGlassGrant.objects.create(
            staff=staff,
            record=record,
            reason=reason,
            started_at=now,
            expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        from events.outbox import enqueue_on_commit
        from marketplace.clients.records.tasks import send_break_glass_email

        enqueue_on_commit(send_break_glass_email, grant.pk)
        audit(
            actor=staff,
            action="break_glass",
            subject_user_id=record.client_id,
            object_type="care_record",
            object_id=record.pk,
            request=request,
            details={
                "record_id": record.pk,
                "role": "break_glass",
                "grant_id": grant.pk,
                "minutes": settings.BREAK_GLASS_MINUTES,
            },
        )
    return grant
