"""What practitioners (and people invited to become one) are told, through the
notification service (decision 0038): staff decisions on their profile, credentials about
to expire, and invitations to apply.

All three are in the required category. A verification decision and a lapsing licence or
insurance decide whether the practitioner may practise on Aeyia at all (a lapsed licence
takes them out of the directory), so they are service and compliance messages, not news
a person may mute; an invitation goes to an address with no account yet, so it has no
preferences to consult."""

from __future__ import annotations

from django.urls import reverse
from django.utils import dateformat

from marketplace.practitioners.models import Credential, PractitionerProfile
from notifications.kinds import Category, Channel, NotificationType, register
from notifications.services import notify

STATUS_EVENTS = ("approved", "rejected", "suspended", "reinstated")
CREDENTIAL_TYPE = "practitioners.credential_expiry"
INVITATION_TYPE = "practitioners.invitation"


def register_types() -> None:
    """Called from PractitionersConfig.ready."""
    account = frozenset({Channel.IN_APP, Channel.EMAIL})
    for event in STATUS_EVENTS:
        register(
            NotificationType(
                key=f"practitioners.{event}", category=Category.REQUIRED, channels=account
            )
        )
    register(NotificationType(key=CREDENTIAL_TYPE, category=Category.REQUIRED, channels=account))
    register(
        NotificationType(
            key=INVITATION_TYPE, category=Category.REQUIRED, channels=frozenset({Channel.EMAIL})
        )
    )


def practitioner_notify_status(*, practitioner: PractitionerProfile, event: str) -> None:
    """Tells the practitioner of a staff decision (`event` is one of STATUS_EVENTS). Call
    inside the deciding transaction, after the status change is saved: its row makes the
    notice once per decision (a second suspension months later is a new notice)."""
    if event not in STATUS_EVENTS:
        raise ValueError(f"unknown practitioner notice {event!r}")
    change_id = (
        practitioner.status_changes.order_by("-pk").values_list("pk", flat=True).first() or 0
    )
    notify(
        recipient=practitioner.user,
        type_key=f"practitioners.{event}",
        context={
            "practitioner_id": practitioner.pk,
            "display_name": practitioner.display_name,
            "reason": practitioner.status_reason,
            "onboarding_path": reverse("practitioner-onboarding"),
        },
        dedupe_key=f"practitioner:{practitioner.pk}:{event}:change{change_id}",
        link=reverse("practitioner-onboarding"),
    )


def credential_notify_expiry(*, credential: Credential, days_left: int, lead: int) -> None:
    """A credential is about to expire (or has): once per credential, expiry date and
    lead time, so a renewed credential (new date) gets its own reminders. Call inside the
    transaction that claims the reminder."""
    practitioner = credential.practitioner
    kind = credential.get_kind_display().lower()
    expires_on = credential.expires_on
    stage = "expired" if days_left < 0 else f"{lead}d"
    notify(
        recipient=practitioner.user,
        type_key=CREDENTIAL_TYPE,
        context={
            "credential_id": credential.pk,
            "display_name": practitioner.display_name,
            "kind": kind,
            "title": credential.title,
            "issuer": credential.issuer,
            "expires_on": dateformat.format(expires_on, "j F Y") if expires_on else "",
            "days_left": days_left,
            "is_expired": days_left < 0,
            "is_licence": credential.kind == Credential.Kind.LICENCE,
            "credentials_path": reverse("practitioner-onboarding-credentials"),
        },
        dedupe_key=f"credential:{credential.pk}:{expires_on}:{stage}",
        link=reverse("practitioner-onboarding-credentials"),
    )


def invitation_notify(*, invitation, invitation_url_path: str) -> None:
    """The invitation to apply, to an address without an account. The link carries the
    one-time token, so it is stored only in the notification's encrypted context."""
    notify(
        recipient=None,
        email=invitation.email,
        type_key=INVITATION_TYPE,
        context={
            "invitation_id": invitation.pk,
            "name": invitation.name,
            "note": invitation.note,
            "expires_on": dateformat.format(invitation.expires_at, "j F Y"),
            "invitation_path": invitation_url_path,
        },
        dedupe_key=f"invitation:{invitation.pk}",
    )


def send_invitation_email(*, invitation_id: int) -> bool:
    """For invitation tasks enqueued before decision 0038: notifies if the invitation is
    still open. Returns whether it was (newly or already) notified."""
    from marketplace.practitioners.models import PractitionerInvitation
    from marketplace.practitioners.services.applications import invitation_token

    invitation = PractitionerInvitation.objects.filter(
        pk=invitation_id, accepted_at__isnull=True
    ).first()
    if invitation is None:
        return False
    invitation_notify(
        invitation=invitation,
        invitation_url_path=reverse("practitioner-invitation", args=[invitation_token(invitation)]),
    )
    return True
