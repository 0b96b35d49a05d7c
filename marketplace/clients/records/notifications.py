"""What a client is told when a member of staff opens their record in an emergency,
through the notification service (decision 0038). A security alert: the required
category, so no preference can switch it off."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat

from marketplace.clients.records.models import BreakGlassGrant
from notifications.kinds import Category, Channel, NotificationType, register
from notifications.services import notify
from notifications.timing import person_zone

BREAK_GLASS_TYPE = "care_records.break_glass"


def register_types() -> None:
    """Called from CareRecordsConfig.ready."""
    register(
        NotificationType(
            key=BREAK_GLASS_TYPE,
            category=Category.REQUIRED,
            channels=frozenset({Channel.IN_APP, Channel.EMAIL}),
            urgent=True,
        )
    )


@transaction.atomic
def break_glass_email_send(*, grant_id: int) -> bool:
    """Tells the client that Aeyia staff opened their record and why (the reason they
    gave), until when, and where to see every access. Once per grant."""
    grant = BreakGlassGrant.objects.select_related("record__client").filter(pk=grant_id).first()
    if grant is None or not grant.record.client.is_active:
        return False
    client = grant.record.client
    zone = person_zone(client)
    notify(
        recipient=client,
        type_key=BREAK_GLASS_TYPE,
        context={
            "grant_id": grant.pk,
            "reason": grant.reason,
            "started_at": dateformat.format(grant.started_at.astimezone(zone), "j F Y, H:i e"),
            "expires_at": dateformat.format(grant.expires_at.astimezone(zone), "j F Y, H:i e"),
            "access_path": reverse("care-access-log"),
            "support_email": settings.SUPPORT_EMAIL,
        },
        dedupe_key=f"break-glass:{grant.pk}",
        link=reverse("care-access-log"),
    )
    return True
