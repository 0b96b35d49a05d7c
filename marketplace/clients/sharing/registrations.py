"""What the sharing app registers at start-up: the grantee access rule, and its part in
export and erasure."""

from django.db.models import Q
from django.utils import timezone

from privacy.export import json_file
from privacy.export import register as export_register
from privacy.registry import ErasureSubject, eraser_register
from privacy.retention import register as retention_register


def export_grants(user):
    from marketplace.clients.sharing.models import SharingGrant

    grants = (
        SharingGrant.objects.filter(created_by=user)
        .select_related("grantee", "record__practitioner")
        .prefetch_related("items__content_type")
        .order_by("created_at", "pk")
    )
    yield json_file(
        "record_sharing/grants.json",
        [
            {
                "record_practitioner": grant.record.practitioner.display_name,
                "shared_with": grant.grantee.display_name,
                "purpose": grant.purpose,
                "items": [
                    f"{item.content_type.app_label}.{item.content_type.model}:{item.object_id}"
                    for item in grant.items.all()
                ],
                "created_at": grant.created_at,
                "expires_at": grant.expires_at,
                "revoked_at": grant.revoked_at,
            }
            for grant in grants
        ],
    )


def erase_grants(subject: ErasureSubject) -> int:
    """Ends at once every grant the person made as a client or holds as a grantee (the
    rows stay, as the record of who could see what, until the retention purge)."""
    from marketplace.clients.sharing.models import SharingGrant

    if subject.user is None:
        return 0
    return (
        SharingGrant.objects.filter(revoked_at__isnull=True)
        .filter(Q(created_by=subject.user) | Q(grantee__user=subject.user))
        .update(revoked_at=timezone.now())
    )


def register() -> None:
    from marketplace.clients.records.access import register_access_rule
    from marketplace.clients.sharing.selectors import grantee_access_rule

    register_access_rule(grantee_access_rule, name="record_sharing.grantee")
    export_register(
        "record_sharing",
        export_grants,
        models=("record_sharing.SharingGrant", "record_sharing.SharedItem"),
    )
    from marketplace.clients.retention import grants_purge

    retention_register(
        "clinical_adult",
        grants_purge,
        name="record_sharing",
        models=("record_sharing.SharingGrant", "record_sharing.SharedItem"),
    )
    eraser_register(
        name="record_sharing",
        eraser=erase_grants,
        models=("record_sharing.SharingGrant", "record_sharing.SharedItem"),
    )
