"""The client's care records in their data export: with whom, since when, and every
break-glass access to them (the client was told of each, with its reason)."""

from collections.abc import Iterator

from accounts.models import User
from marketplace.clients.records.models import BreakGlassGrant, CareRecord
from privacy.export import ExportItem, json_file


def care_records_export(user: User) -> Iterator[ExportItem]:
    records = CareRecord.objects.filter(client=user).select_related("practitioner")
    grants = BreakGlassGrant.objects.filter(record__client=user).order_by("started_at", "pk")
    yield json_file(
        "care_records/records.json",
        [
            {
                "id": record.pk,
                "practitioner": record.practitioner.display_name,
                "opened_at": record.opened_at,
                "last_contact_at": record.last_contact_at,
            }
            for record in records
        ],
    )
    yield json_file(
        "care_records/emergency_access.json",
        [
            {
                "record_id": grant.record_id,
                "by": "Aeyia staff (emergency access)",
                "reason": grant.reason,
                "started_at": grant.started_at,
                "expires_at": grant.expires_at,
            }
            for grant in grants
        ],
    )
