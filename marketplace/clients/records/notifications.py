"""The email a client gets when a member of staff opens their record in an emergency."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from marketplace.clients.records.models import BreakGlassGrant


def break_glass_email_send(*, grant_id: int) -> bool:
    """Tells the client that Aeyia staff opened their record and why (the reason they
    gave), until when, and where to see every access. Sent once per grant."""
    grant = BreakGlassGrant.objects.select_related("record__client").filter(pk=grant_id).first()
    if grant is None or not grant.record.client.is_active:
        return False
    context = {
        "reason": grant.reason,
        "started_at": grant.started_at,
        "expires_at": grant.expires_at,
        "access_url": f"{settings.SITE_URL.rstrip('/')}{reverse('care-access-log')}",
        "support_email": settings.SUPPORT_EMAIL,
    }
    EmailMessage(
        subject="A member of Aeyia staff accessed your care record",
        body=render_to_string("care_records/email/break_glass.txt", context),
        to=[grant.record.client.email],
    ).send()
    return True
