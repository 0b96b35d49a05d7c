"""Applying to practise, and staff invitations to apply (decision 0027).

An application gives the person the practitioner role (beside any role they hold: one
login, several roles), a DRAFT profile prefilled from what they wrote, and a
PractitionerApplication row keeping the statement, the moment the terms were accepted and
the invitation used. The onboarding wizard takes over from there. Applying again changes
nothing: the existing profile is returned.

An invitation's token is rebuilt from its row (HMAC under SECRET_KEY of a random salt); only
its SHA-256 is stored, to find the row by. It is usable once, until it expires."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from marketplace.practitioners.errors import PractitionerError
from marketplace.practitioners.models import (
    Modality,
    PractitionerApplication,
    PractitionerInvitation,
    PractitionerProfile,
)
from marketplace.practitioners.services.profiles import practitioner_profile_ensure

INVITATION_VALID_FOR = timedelta(days=14)
TOKEN_KEY_SALT = "aeyia.practitioner-invitation"  # noqa: S105 (an HMAC label, not a secret)
DISPLAY_NAME_MAX_LENGTH = 120


class InvitationUnusable(PractitionerError):
    """The invitation link is unknown, expired or used already."""

    api_status = 410
    api_code = "invitation_unusable"

    def __init__(self, detail: str, *, reason: str):
        super().__init__(detail, code=reason)
        self.reason = reason


@dataclass(frozen=True)
class ApplyResult:
    practitioner: PractitionerProfile
    # False when the person already had a practitioner profile (nothing changed).
    is_new: bool


def invitation_token(invitation: PractitionerInvitation) -> str:
    """The secret the invitation link carries (not stored; rebuilt from the row)."""
    return salted_hmac(TOKEN_KEY_SALT, invitation.token_salt, algorithm="sha256").hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(
    *, token: str, now: datetime | None = None, for_update: bool = False
) -> PractitionerInvitation:
    """The invitation a link's token opens, or InvitationUnusable saying why not
    (unknown, used, expired)."""
    rows = PractitionerInvitation.objects.all()
    if for_update:
        rows = rows.select_for_update()
    invitation = rows.filter(token_hash=token_hash(token or "")).first() if token else None
    if invitation is None:
        raise InvitationUnusable(
            "This invitation link is not valid. Check that you copied the whole link, "
            "or apply without one.",
            reason="unknown",
        )
    if invitation.accepted_at is not None:
        raise InvitationUnusable(
            "This invitation has been used already. If that was you, sign in to carry "
            "on with your application.",
            reason="used",
        )
    if invitation.expires_at <= (now or timezone.now()):
        raise InvitationUnusable(
            "This invitation has expired. You can still apply without it, or ask us for a new one.",
            reason="expired",
        )
    return invitation


@transaction.atomic
def practitioner_invitation_create(
    *,
    email: str,
    name: str,
    modalities: list[Modality],
    note: str,
    sent_by: User,
    now: datetime | None = None,
) -> tuple[PractitionerInvitation, str]:
    """Creates an invitation and queues its email for after the commit. Returns the row
    and its token (for staff's confirmation screen and tests; never stored)."""
    from marketplace.practitioners.notifications import invitation_notify

    salt = secrets.token_hex(32)
    invitation = PractitionerInvitation(
        email=email.strip().lower(),
        name=name.strip(),
        note=note.strip(),
        token_salt=salt,
        expires_at=(now or timezone.now()) + INVITATION_VALID_FOR,
        sent_by=sent_by,
    )
    token = invitation_token(invitation)
    invitation.token_hash = token_hash(token)
    invitation.full_clean(exclude=["modalities"])
    invitation.save()
    invitation.modalities.set(modalities)
    invitation_notify(
        invitation=invitation,
        invitation_url_path=reverse("practitioner-invitation", args=[token]),
    )
    return invitation, token


def _application_errors(
    *,
    display_name: str,
    modalities: list[Modality],
    offers_online: bool,
    offers_in_person: bool,
    location: str,
    statement: str,
    accepts_terms: bool,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not display_name.strip():
        errors["display_name"] = ["Give the name clients will see."]
    elif len(display_name.strip()) > DISPLAY_NAME_MAX_LENGTH:
        errors["display_name"] = [f"Use at most {DISPLAY_NAME_MAX_LENGTH} characters."]
    if not modalities:
        errors["modalities"] = ["Choose at least one modality."]
    if not (offers_online or offers_in_person):
        errors["offers_online"] = ["Choose online, in person or both."]
    if offers_in_person and not location.strip():
        errors["location"] = ["Give the location of your in-person sessions."]
    if not statement.strip():
        errors["statement"] = ["Tell us briefly about your practice."]
    elif len(statement.strip()) > PractitionerApplication.STATEMENT_MAX_LENGTH:
        errors["statement"] = [
            f"Use at most {PractitionerApplication.STATEMENT_MAX_LENGTH} characters."
        ]
    if not accepts_terms:
        errors["accepts_terms"] = ["Accept the practitioner terms to apply."]
    return errors


@transaction.atomic
def practitioner_apply(
    *,
    user: User,
    display_name: str,
    modalities: list[Modality],
    offers_online: bool,
    offers_in_person: bool,
    location: str,
    statement: str,
    accepts_terms: bool,
    invitation_token: str = "",
    now: datetime | None = None,
) -> ApplyResult:
    """Makes `user` an applicant practitioner: the practitioner role (their other roles
    and login stay as they are), a DRAFT profile with the name, modalities, ways of
    meeting and the statement as the bio's first draft, and the application row. With an
    invitation token, the invitation is marked used (InvitationUnusable if it cannot be).

    Idempotent: someone who already has a practitioner profile gets it back unchanged
    (`is_new` False), however often or concurrently they submit. Bad input is a
    ValidationError keyed by field, and nothing is written."""
    now = now or timezone.now()
    # One application at a time per person: a double submit waits here, then finds the
    # profile the first one made.
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = PractitionerProfile.objects.filter(user=user).first()
    if existing is not None:
        role_grant(user=user, role=Role.PRACTITIONER)
        return ApplyResult(practitioner=existing, is_new=False)
    errors = _application_errors(
        display_name=display_name,
        modalities=modalities,
        offers_online=offers_online,
        offers_in_person=offers_in_person,
        location=location,
        statement=statement,
        accepts_terms=accepts_terms,
    )
    if errors:
        raise ValidationError(errors)
    invitation = None
    if invitation_token:
        invitation = invitation_by_token(token=invitation_token, now=now, for_update=True)
    practitioner = practitioner_profile_ensure(user=user, display_name=display_name.strip())
    practitioner.offers_online = offers_online
    practitioner.offers_in_person = offers_in_person
    practitioner.location = location.strip() if offers_in_person else ""
    practitioner.bio = statement.strip()
    practitioner.save(update_fields=["offers_online", "offers_in_person", "location", "bio"])
    practitioner.modalities.set(modalities)
    PractitionerApplication.objects.create(
        practitioner=practitioner,
        statement=statement.strip(),
        terms_accepted_at=now,
        invitation=invitation,
    )
    if invitation is not None:
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return ApplyResult(practitioner=practitioner, is_new=True)


def practitioner_applications_erase(subject) -> int:
    """Eraser (privacy registry): invitations sent to the person's email or accepted by
    them are deleted, and their application statement is blanked (the profile itself is
    erased by the practitioners eraser)."""
    from django.db.models import Q

    changed = 0
    match = Q(email__iexact=subject.email) if subject.email else Q(pk__in=[])
    if subject.user is not None:
        match |= Q(accepted_by=subject.user)
        changed += PractitionerApplication.objects.filter(practitioner__user=subject.user).update(
            statement=""
        )
    deleted, _ = PractitionerInvitation.objects.filter(match).delete()
    return changed + deleted


def practitioner_applications_export(user: User):
    """Exporter (privacy.export): the person's application and the invitation they
    accepted, as `practitioner_applications/application.json`."""
    from privacy.export import json_file

    application = (
        PractitionerApplication.objects.filter(practitioner__user=user)
        .select_related("invitation")
        .first()
    )
    invitations = PractitionerInvitation.objects.filter(accepted_by=user)
    yield json_file(
        "practitioner_applications/application.json",
        {
            "application": None
            if application is None
            else {
                "statement": application.statement,
                "terms_accepted_at": application.terms_accepted_at,
                "created_at": application.created_at,
            },
            "invitations": [
                {
                    "email": invitation.email,
                    "name": invitation.name,
                    "note": invitation.note,
                    "created_at": invitation.created_at,
                    "accepted_at": invitation.accepted_at,
                }
                for invitation in invitations
            ],
        },
    )
