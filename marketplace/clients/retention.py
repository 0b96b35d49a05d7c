"""The clinical retention purges of consent, notes and sharing (privacy.retention, data
class "clinical_adult"). The clock of a record is its last contact (CareRecord.
last_contact_at, else when it opened); a client's consent evidence follows their newest
record, or their newest consent event when they never had a record."""

from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce

from marketplace.clients.records.models import CareRecord
from privacy.audit import audit


def stale_records(cutoff: datetime):
    return CareRecord.objects.annotate(clock=Coalesce("last_contact_at", "opened_at")).filter(
        clock__lt=cutoff
    )


def _audit_purge(*, subject_user_id: int, object_type: str, object_id: int, count: int) -> None:
    audit(
        actor=None,
        action="retention_purge",
        subject_user_id=subject_user_id,
        object_type=object_type,
        object_id=object_id,
        details={"rows": count},
    )


@transaction.atomic
def notes_purge(*, cutoff: datetime, dry_run: bool = False) -> int:
    from marketplace.clients.notes.models import NoteAddendum, SessionNote

    due = SessionNote.objects.filter(record__in=stale_records(cutoff))
    if dry_run:
        return due.count() + NoteAddendum.objects.filter(note__in=due).count()
    total = 0
    pairs = due.order_by().values_list("record_id", "record__client_id").distinct()
    for record_id, client_id in pairs:
        notes = SessionNote.objects.filter(record_id=record_id)
        addenda, _ = NoteAddendum.objects.filter(note__in=notes).delete()
        removed, _ = notes.delete()
        total += addenda + removed
        _audit_purge(
            subject_user_id=client_id,
            object_type="session_notes",
            object_id=record_id,
            count=addenda + removed,
        )
    return total


@transaction.atomic
def grants_purge(*, cutoff: datetime, dry_run: bool = False) -> int:
    from marketplace.clients.sharing.models import SharedItem, SharingGrant

    due = SharingGrant.objects.filter(record__in=stale_records(cutoff))
    if dry_run:
        return due.count() + SharedItem.objects.filter(grant__in=due).count()
    total = 0
    pairs = due.order_by().values_list("record_id", "record__client_id").distinct()
    for record_id, client_id in pairs:
        grants = SharingGrant.objects.filter(record_id=record_id)
        items, _ = SharedItem.objects.filter(grant__in=grants).delete()
        removed, _ = grants.delete()
        total += items + removed
        _audit_purge(
            subject_user_id=client_id,
            object_type="sharing_grants",
            object_id=record_id,
            count=items + removed,
        )
    return total


@transaction.atomic
def consent_purge(*, cutoff: datetime, dry_run: bool = False) -> int:
    """Signatures of clients whose every record's clock stopped before `cutoff`, or who
    never had a record and whose newest consent event is older than `cutoff`."""
    from marketplace.clients.consent.models import ConsentSignature

    clients = (
        ConsentSignature.objects.values("client_id")
        .annotate(
            newest_event=Max("created_at"),
            newest_contact=Max(
                Coalesce("client__care_records__last_contact_at", "client__care_records__opened_at")
            ),
        )
        .filter(
            Q(newest_contact__lt=cutoff) | Q(newest_contact__isnull=True, newest_event__lt=cutoff)
        )
        .values_list("client_id", flat=True)
    )
    client_ids = list(clients)
    due = ConsentSignature.objects.filter(client_id__in=client_ids)
    if dry_run:
        return due.count()
    total = 0
    for client_id in client_ids:
        removed, _ = ConsentSignature.objects.filter(client_id=client_id).delete()
        total += removed
        _audit_purge(
            subject_user_id=client_id,
            object_type="consent_signatures",
            object_id=client_id,
            count=removed,
        )
    return total
