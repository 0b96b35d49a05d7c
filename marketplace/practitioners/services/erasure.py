"""What erasing a person removes from the practitioner side (privacy registry)."""

from django.db import transaction
from django.db.models import Q

from marketplace.practitioners.models import (
    Credential,
    KycEvent,
    PractitionerProfile,
    PractitionerStatusChange,
    VerificationCase,
)
from privacy.registry import ErasureSubject

ERASED_DISPLAY_NAME = "Former practitioner"


def _delete_file_on_commit(field_file) -> None:
    """Files are removed only once the erasure has committed: a rollback must not leave
    rows pointing at files that are gone."""
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))


def practitioner_erase(subject: ErasureSubject) -> int:
    """Eraser: the identity collected for the KYC check (legal names, date of birth,
    country, document number), the public profile's name, photo and text, the uploaded
    credential documents and their numbers, staff's free-text reasons about the person,
    and the KYC vendor's webhook bodies for their checks. The profile is suspended so it
    is never listed or bookable again; bookings and payments keep pointing at it for the
    books."""
    if subject.user is None:
        return 0
    profile = PractitionerProfile.objects.select_for_update().filter(user=subject.user).first()
    if profile is None:
        return 0
    _delete_file_on_commit(profile.photo)
    profile.photo = ""
    profile.display_name = ERASED_DISPLAY_NAME
    profile.slug = f"former-practitioner-{profile.pk}"
    profile.bio = ""
    profile.location = ""
    profile.languages = ""
    profile.legal_given_name = ""
    profile.legal_family_name = ""
    profile.date_of_birth = None
    profile.country = ""
    profile.identity_document_number = ""
    profile.status_reason = ""
    previous_status = profile.status
    profile.status = PractitionerProfile.Status.SUSPENDED
    profile.save()
    changed = 1
    changed += PractitionerStatusChange.objects.filter(practitioner=profile).update(reason="")
    if previous_status != PractitionerProfile.Status.SUSPENDED:
        # Every status move leaves a row (decision 0015); this one says only why.
        PractitionerStatusChange.objects.create(
            practitioner=profile,
            from_status=previous_status,
            to_status=PractitionerProfile.Status.SUSPENDED,
            reason="Account erased on request.",
        )
    for credential in Credential.objects.filter(practitioner=profile):
        _delete_file_on_commit(credential.document)
        credential.document = ""
        credential.number = ""
        credential.save(update_fields=["document", "number", "updated_at"])
        changed += 1
    cases = VerificationCase.objects.filter(practitioner=profile)
    references = list(cases.values_list("reference", flat=True))
    check_ids = [check_id for check_id in cases.values_list("kyc_check_id", flat=True) if check_id]
    changed += cases.update(kyc_reasons=[], kyc_error="", decision_reason="")
    changed += KycEvent.objects.filter(
        Q(reference__in=references) | Q(check_id__in=check_ids)
    ).update(body="", error="")
    return changed
