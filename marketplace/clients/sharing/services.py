"""Writes for sharing grants: a client grants another practitioner read access to chosen
items until an end date (at most MAX_GRANT_DAYS ahead) and may revoke it at any moment.
Grant and revocation are audited; so is every use (the grantee's reads, in the views)."""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from marketplace.clients.consent.errors import ConsentRequired
from marketplace.clients.consent.models import ConsentKind
from marketplace.clients.consent.selectors import consent_statuses, document_summary
from marketplace.clients.sharing.errors import SharingConflict, SharingInvalid
from marketplace.clients.sharing.models import SharedItem, SharingGrant
from marketplace.clients.sharing.selectors import client_visible_keys
from marketplace.practitioners.models import PractitionerProfile
from privacy.audit import audit

MAX_GRANT_DAYS = 365
MAX_ITEMS = 200
PURPOSE_MAX_LENGTH = 500


def _require_sharing_consent(client: User) -> None:
    """When a sharing consent document is published, the client must have signed its
    current version before sharing anything."""
    statuses = consent_statuses(client=client, kinds=[ConsentKind.SHARING.value])
    if statuses and not statuses[0].is_valid:
        raise ConsentRequired(
            f"Before sharing, please read and sign: {statuses[0].version.title}.",
            documents=[document_summary(statuses[0].version)],
        )


@transaction.atomic
def sharing_grant_create(
    *,
    record,
    client: User,
    grantee: PractitionerProfile,
    items: list[tuple[str, int]],
    expires_at: datetime,
    purpose: str = "",
    request=None,
    now: datetime | None = None,
) -> SharingGrant:
    """Grants `grantee` read access to `items` ((model label, id) pairs) of the client's
    `record` until `expires_at`. Only items the client can see may be shared, only with a
    bookable practitioner other than the record's own, for at most MAX_GRANT_DAYS."""
    now = now or timezone.now()
    if record.client_id != client.pk:
        raise SharingInvalid("Only the client shares their record.", code="not_client")
    if grantee.pk == record.practitioner_id or grantee.user_id == client.pk:
        raise SharingInvalid(
            "Choose another practitioner: this one already has the record.",
            code="invalid_grantee",
        )
    if grantee.status not in PractitionerProfile.BOOKABLE_STATUSES:
        raise SharingInvalid("No such practitioner.", code="invalid_grantee")
    if timezone.is_naive(expires_at):
        raise SharingInvalid("The end needs a time zone.", code="invalid_expiry")
    if expires_at <= now:
        raise SharingInvalid("The end date must be in the future.", code="invalid_expiry")
    if expires_at > now + timedelta(days=MAX_GRANT_DAYS):
        raise SharingInvalid(f"A grant lasts at most {MAX_GRANT_DAYS} days.", code="invalid_expiry")
    purpose = " ".join((purpose or "").split())
    if len(purpose) > PURPOSE_MAX_LENGTH:
        raise SharingInvalid("The purpose is too long.", code="too_long")
    wanted = {(label.lower(), int(object_id)) for label, object_id in items}
    if not wanted:
        raise SharingInvalid("Choose at least one item to share.", code="no_items")
    if len(wanted) > MAX_ITEMS:
        raise SharingInvalid(f"Share at most {MAX_ITEMS} items at once.", code="too_many_items")
    visible = client_visible_keys(record)
    if not wanted <= visible:
        raise SharingInvalid(
            "You can share only items you can see in this record.", code="invalid_items"
        )
    _require_sharing_consent(client)
    grant = SharingGrant.objects.create(
        record=record,
        grantee=grantee,
        created_by=client,
        purpose=purpose,
        created_at=now,
        expires_at=expires_at,
    )
    for label, object_id in sorted(wanted):
        app_label, model = label.split(".")
        SharedItem.objects.create(
            grant=grant,
            content_type=ContentType.objects.get_by_natural_key(app_label, model),
            object_id=object_id,
        )
    audit(
        actor=client,
        action="share",
        subject_user_id=client.pk,
        object_type="sharing_grant",
        object_id=grant.pk,
        request=request,
        details={
            "record_id": record.pk,
            "grantee_practitioner_id": grantee.pk,
            "items": [f"{label}:{object_id}" for label, object_id in sorted(wanted)],
            "expires_at": expires_at.isoformat(),
        },
    )
    return grant


@transaction.atomic
def sharing_grant_revoke(*, grant: SharingGrant, client: User, request=None) -> SharingGrant:
    """Ends the grant at once (idempotent for a revoked grant; an expired one is left as
    it is: 409 `grant_expired`)."""
    grant = SharingGrant.objects.select_for_update().select_related("record").get(pk=grant.pk)
    if grant.record.client_id != client.pk:
        raise SharingInvalid("No such grant.", code="not_found")
    if grant.revoked_at is not None:
        return grant
    if grant.expires_at <= timezone.now():
        raise SharingConflict("This grant has already ended.", code="grant_expired")
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit(
        actor=client,
        action="revoke",
        subject_user_id=client.pk,
        object_type="sharing_grant",
        object_id=grant.pk,
        request=request,
        details={"record_id": grant.record_id, "grantee_practitioner_id": grant.grantee_id},
    )
    return grant
