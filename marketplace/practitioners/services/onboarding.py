"""The onboarding wizard's writes: each step saves a draft; submitting checks the pieces
the review needs, opens a verification case and starts the identity check."""

import uuid
from datetime import date

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from marketplace.practitioners.errors import SubmissionIncomplete, TransitionRefused
from marketplace.practitioners.identity import KYC_DOCUMENT_TYPES, identity_clean
from marketplace.practitioners.models import Modality, PractitionerProfile, VerificationCase
from marketplace.practitioners.selectors import practitioner_submission_gaps
from marketplace.practitioners.services.transitions import locked, status_transition

Status = PractitionerProfile.Status

# While staff review a submission, or while suspended, the practitioner cannot change
# what is being (or was) reviewed.
EDITABLE_STATUSES = (Status.DRAFT, Status.VERIFIED, Status.ACTIVE)


def ensure_editable(practitioner: PractitionerProfile, *, statuses=EDITABLE_STATUSES) -> None:
    if practitioner.status not in statuses:
        raise TransitionRefused(
            "Your details cannot be changed while your profile is "
            f"{practitioner.get_status_display().lower()}.",
            code="locked",
        )


@transaction.atomic
def practitioner_profile_update(
    *,
    practitioner: PractitionerProfile,
    display_name: str,
    bio: str,
    languages: str,
    modalities: list[Modality],
    offers_online: bool,
    offers_in_person: bool,
    location: str,
    photo: File | None = None,
) -> PractitionerProfile:
    """Saves the public-profile step (a draft until submitted). `photo` replaces the
    current photo when given (already validated as an image by the form)."""
    practitioner = locked(practitioner)
    ensure_editable(practitioner)
    practitioner.display_name = display_name.strip()
    practitioner.bio = bio.strip()
    practitioner.languages = languages.strip()
    practitioner.offers_online = offers_online
    practitioner.offers_in_person = offers_in_person
    practitioner.location = location.strip() if offers_in_person else ""
    if photo is not None:
        old = practitioner.photo.name if practitioner.photo else ""
        practitioner.photo.save(photo.name or "photo", photo, save=False)
        if old:
            transaction.on_commit(lambda: practitioner.photo.storage.delete(old))
    practitioner.full_clean(exclude=["user", "slug"])
    practitioner.save()
    practitioner.modalities.set(modalities)
    return practitioner


@transaction.atomic
def practitioner_identity_update(
    *,
    practitioner: PractitionerProfile,
    legal_given_name: str,
    legal_family_name: str,
    date_of_birth: date | None,
    country: str,
    identity_document_type: str,
    identity_document_number: str,
    today: date | None = None,
) -> PractitionerProfile:
    """Saves the identity step (used only for the KYC check). Only while a draft: after
    submission the checked identity stays as it was checked. Every value is checked and
    normalised by identity.py's rules (ValidationError naming each wrong field), so
    nothing invalid is stored whoever calls this."""
    cleaned = identity_clean(
        legal_given_name=legal_given_name,
        legal_family_name=legal_family_name,
        date_of_birth=date_of_birth,
        country=country,
        identity_document_type=identity_document_type,
        identity_document_number=identity_document_number,
        today=today or timezone.localdate(),
    )
    practitioner = locked(practitioner)
    ensure_editable(practitioner, statuses=(Status.DRAFT,))
    for name, value in cleaned.items():
        setattr(practitioner, name, value)
    practitioner.save(update_fields=list(cleaned))
    return practitioner


@transaction.atomic
def practitioner_submit(
    *, practitioner: PractitionerProfile, today: date | None = None
) -> VerificationCase:
    """DRAFT → SUBMITTED: requires a photo, a bio, a modality, a way to meet, a licence or
    qualification with a number and a future expiry, insurance with a document and a
    future expiry, and identity details (SubmissionIncomplete lists what is missing).
    Opens a verification case and starts the KYC check; its result arrives by webhook.
    A check that cannot be started rolls the submission back (SubmissionIncomplete)."""
    from integrations.kyc import get_kyc
    from integrations.kyc.types import KycError, KycPerson

    practitioner = locked(practitioner)
    if practitioner.status != Status.DRAFT:
        raise TransitionRefused("Only a draft profile can be submitted for review.")
    gaps = practitioner_submission_gaps(
        practitioner=practitioner, today=today or timezone.localdate()
    )
    if gaps:
        raise SubmissionIncomplete(gaps)
    status_transition(practitioner=practitioner, to_status=Status.SUBMITTED)
    case = VerificationCase.objects.create(
        practitioner=practitioner,
        reference=f"aeyia-{uuid.uuid4().hex}",
        submitted_at=timezone.now(),
    )
    # The gaps above guarantee a date of birth; this narrows the type.
    assert practitioner.date_of_birth is not None  # noqa: S101
    person = KycPerson(
        given_name=practitioner.legal_given_name,
        family_name=practitioner.legal_family_name,
        date_of_birth=practitioner.date_of_birth,
        country=practitioner.country,
        document_number=practitioner.identity_document_number,
        document_type=KYC_DOCUMENT_TYPES[practitioner.identity_document_type],
        user_reference=str(practitioner.user_id),
    )
    # The vendor's person from an earlier check of this practitioner is reused (the vendor
    # takes no idempotency key: our rows are what stop a second person being created).
    entity_id = (
        practitioner.verification_cases.exclude(pk=case.pk)
        .exclude(kyc_entity_id="")
        .order_by("-submitted_at", "-pk")
        .values_list("kyc_entity_id", flat=True)
        .first()
    ) or ""
    try:
        check = get_kyc().start_check(reference=case.reference, person=person, entity_id=entity_id)
    except KycError as error:
        raise SubmissionIncomplete([f"The identity check could not start: {error}"]) from error
    case.kyc_check_id = check.check_id
    case.kyc_entity_id = check.entity_id
    case.kyc_request_id = check.request_id
    case.kyc_status = VerificationCase.KycStatus.PENDING
    case.save(update_fields=["kyc_check_id", "kyc_entity_id", "kyc_request_id", "kyc_status"])
    return case


@transaction.atomic
def practitioner_activate(*, practitioner: PractitionerProfile) -> PractitionerProfile:
    """VERIFIED → ACTIVE once the practitioner offers at least one active service.
    Connected payouts are not required here: card payment already needs them."""
    practitioner = locked(practitioner)
    if practitioner.status != Status.VERIFIED:
        raise TransitionRefused("Only a verified practitioner can start taking bookings.")
    if not practitioner.services.filter(is_active=True).exists():
        raise TransitionRefused(
            "Add at least one service before you start taking bookings.", code="no_service"
        )
    return status_transition(practitioner=practitioner, to_status=Status.ACTIVE)
