"""Reads for the care record."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from accounts.models import User
from marketplace.clients.records.access import records_for
from marketplace.clients.records.models import CareRecord
from marketplace.practitioners.models import PractitionerProfile
from privacy.models import AuditEntry

__all__ = [
    "access_events",
    "access_history",
    "records_as_client",
    "records_as_practitioner",
    "records_for",
]


def records_as_client(user) -> QuerySet[CareRecord]:
    """The client's own records (the "my care" list), with the practitioner loaded."""
    if not getattr(user, "is_authenticated", False):
        return CareRecord.objects.none()
    return CareRecord.objects.filter(client=user).select_related("practitioner")


def records_as_practitioner(user) -> QuerySet[CareRecord]:
    """The records of the practitioner's own clients, with the client loaded."""
    if not getattr(user, "is_authenticated", False):
        return CareRecord.objects.none()
    return CareRecord.objects.filter(practitioner__user=user).select_related("client")


@dataclass(frozen=True)
class AccessEvent:
    """One line of "who accessed my record"."""

    who: str
    what: str
    when: datetime
    record_id: int | None


OBJECT_LABELS = {
    "care_record": "your care record",
    "care_record_list": "your list of care records",
}


def access_history(*, user) -> QuerySet[AuditEntry]:
    """Audit entries about the user's data made by anyone but themselves, newest first."""
    return (
        AuditEntry.objects.filter(subject_user_id=user.pk)
        .exclude(actor_id=user.pk)
        .order_by("-created_at", "-pk")
    )


def _who(entry: AuditEntry, users: dict, practitioners: dict) -> str:
    role = entry.details.get("role") if isinstance(entry.details, dict) else None
    if role == "break_glass" or entry.action == AuditEntry.Action.BREAK_GLASS:
        return "Aeyia staff (emergency access)"
    if entry.actor_id is None:
        return "Aeyia (automatically)"
    practitioner = practitioners.get(entry.actor_id)
    if practitioner is not None:
        if role == "grantee":
            return f"{practitioner}, a practitioner you shared your record with"
        return f"{practitioner}, practitioner"
    actor = users.get(entry.actor_id)
    if actor is not None and actor.is_staff:
        return "Aeyia staff"
    return "Another Aeyia member"


def _what(entry: AuditEntry) -> str:
    thing = OBJECT_LABELS.get(entry.object_type) or entry.object_type.replace("_", " ")
    return f"{entry.get_action_display()}: {thing}" if thing else entry.get_action_display()


def access_events(entries) -> list[AccessEvent]:
    """Describes one page of `access_history` in two queries (the actors, their
    practitioner profiles), whatever its length."""
    entries = list(entries)
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    users = {user.pk: user for user in User.objects.filter(pk__in=actor_ids)}
    practitioners = dict(
        PractitionerProfile.objects.filter(user_id__in=actor_ids).values_list(
            "user_id", "display_name"
        )
    )
    events = []
    for entry in entries:
        record_id = entry.details.get("record_id") if isinstance(entry.details, dict) else None
        if record_id is None and entry.object_type == "care_record" and entry.object_id.isdigit():
            record_id = int(entry.object_id)
        events.append(
            AccessEvent(
                who=_who(entry, users, practitioners),
                what=_what(entry),
                when=entry.created_at,
                record_id=record_id if isinstance(record_id, int) else None,
            )
        )
    return events
