"""Emails to practitioners about their verification and credentials. Status emails are
sent by a task after the decision commits (a rolled-back decision sends nothing);
credential reminders are sent inside the transaction that claims them
(services.credentials)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from marketplace.practitioners.models import Credential, PractitionerProfile

SUBJECTS = {
    "approved": "You are verified on Aeyia",
    "rejected": "Your Aeyia profile needs changes",
    "suspended": "Your Aeyia profile is suspended",
    "reinstated": "Your Aeyia profile is back",
}


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)
    EmailMessage(subject=subject, body=body, to=[to]).send()


def practitioner_notify_status(*, practitioner: PractitionerProfile, event: str) -> None:
    """Queues the email for a staff decision (`event` is a key of SUBJECTS) to go out
    once the current transaction commits."""
    from events.outbox import enqueue_on_commit
    from marketplace.practitioners.tasks import send_status_email

    if event not in SUBJECTS:
        raise ValueError(f"unknown practitioner email {event!r}")
    enqueue_on_commit(send_status_email, practitioner.pk, event)


def send_status_email(*, practitioner_id: int, event: str) -> None:
    practitioner = PractitionerProfile.objects.select_related("user").get(pk=practitioner_id)
    _send(
        to=practitioner.user.email,
        subject=SUBJECTS[event],
        template=f"practitioners/email/{event}.txt",
        context={
            "practitioner": practitioner,
            "reason": practitioner.status_reason,
            "onboarding_url": _site_url(reverse("practitioner-onboarding")),
        },
    )


def send_credential_reminder(*, credential: Credential, days_left: int) -> None:
    practitioner = credential.practitioner
    if days_left < 0:
        subject = f"Your {credential.get_kind_display().lower()} has expired"
    else:
        subject = f"Your {credential.get_kind_display().lower()} expires in {days_left} days"
    _send(
        to=practitioner.user.email,
        subject=subject,
        template="practitioners/email/credential_reminder.txt",
        context={
            "practitioner": practitioner,
            "credential": credential,
            "days_left": days_left,
            "is_expired": days_left < 0,
            "is_licence": credential.kind == Credential.Kind.LICENCE,
            "credentials_url": _site_url(reverse("practitioner-onboarding-credentials")),
        },
    )


def send_invitation_email(*, invitation_id: int) -> bool:
    """Sends a staff invitation to apply, with the link that pre-fills the application.
    An invitation used or deleted (erased) before the task ran sends nothing."""
    from marketplace.practitioners.models import PractitionerInvitation
    from marketplace.practitioners.services.applications import invitation_token

    invitation = PractitionerInvitation.objects.filter(
        pk=invitation_id, accepted_at__isnull=True
    ).first()
    if invitation is None:
        return False
    _send(
        to=invitation.email,
        subject="You are invited to practise on Aeyia",
        template="practitioners/email/invitation.txt",
        context={
            "invitation": invitation,
            "invitation_url": _site_url(
                reverse("practitioner-invitation", args=[invitation_token(invitation)])
            ),
        },
    )
    return True
