"""Reads about practitioners that the directory, the public profile and the API share."""

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from marketplace.practitioners.models import (
    Credential,
    PractitionerProfile,
    Service,
    VerificationCase,
)


def services_active() -> QuerySet[Service]:
    """Active services in the order a profile lists them, with their modality loaded."""
    return (
        Service.objects.filter(is_active=True)
        .select_related("modality")
        .order_by("name", "duration_minutes", "pk")
    )


def lapsed_licence(*, today: date | None = None) -> Exists:
    """True for a practitioner holding a licence that expired before `today`. The rule
    applies to licences that exist: a practitioner verified before credentials were
    recorded (the demo directory) stays bookable; a missing licence is caught when a
    profile is submitted for review."""
    return Exists(
        Credential.objects.filter(
            practitioner=OuterRef("pk"),
            kind=Credential.Kind.LICENCE,
            expires_on__lt=today or timezone.localdate(),
        )
    )


def practitioners_bookable_unloaded(*, today: date | None = None) -> QuerySet[PractitionerProfile]:
    """Practitioners clients may find and book: verified or active, and no lapsed
    licence. Nothing prefetched: for subqueries and existence checks."""
    return PractitionerProfile.objects.filter(
        status__in=PractitionerProfile.BOOKABLE_STATUSES
    ).filter(~lapsed_licence(today=today))


def services_bookable() -> QuerySet[Service]:
    """Active services of bookable practitioners: what a booking may be held on."""
    return Service.objects.filter(
        is_active=True, practitioner__in=practitioners_bookable_unloaded().values("pk")
    )


def practitioner_is_bookable(*, practitioner: PractitionerProfile) -> bool:
    return practitioners_bookable_unloaded().filter(pk=practitioner.pk).exists()


def practitioners_bookable() -> QuerySet[PractitionerProfile]:
    """Practitioners clients may find and book (verified or active, no lapsed licence),
    each with `active_services` prefetched (modality loaded): three queries for any page
    size."""
    return (
        practitioners_bookable_unloaded()
        .prefetch_related(Prefetch("services", services_active(), to_attr="active_services"))
        .order_by("display_name", "pk")
    )


def practitioner_search(
    *,
    practitioners: QuerySet[PractitionerProfile] | None = None,
    text: str = "",
    modality_slug: str = "",
    is_online: bool | None = None,
    max_price: int | None = None,
) -> QuerySet[PractitionerProfile]:
    """Bookable practitioners matching every filter given:

    - `text`: in the name, the bio or the name of a modality they offer (case-insensitive);
    - `modality_slug`: offer an active service of that modality;
    - `is_online`: True, offer an active online service; False, an active in-person one;
    - `max_price`: offer an active card-paid service priced at most this (minor units).

    Filters use EXISTS subqueries, so a practitioner appears once however many services
    match. `practitioners` narrows the start (default: practitioners_bookable); the
    directory passes the listed ones (commerce.bookings.directory.practitioners_listed)."""
    practitioners = practitioners_bookable() if practitioners is None else practitioners
    active = Service.objects.filter(practitioner=OuterRef("pk"), is_active=True)
    text = text.strip()
    if text:
        practitioners = practitioners.filter(
            Q(display_name__icontains=text)
            | Q(bio__icontains=text)
            | Exists(active.filter(modality__name__icontains=text))
        )
    if modality_slug:
        practitioners = practitioners.filter(Exists(active.filter(modality__slug=modality_slug)))
    if is_online is not None:
        practitioners = practitioners.filter(Exists(active.filter(is_online=is_online)))
    if max_price is not None:
        practitioners = practitioners.filter(
            Exists(active.filter(accepts_card=True, price__isnull=False, price__lte=max_price))
        )
    return practitioners


def practitioner_onboarding_gaps(
    *, practitioner: PractitionerProfile, today: date
) -> dict[str, list[str]]:
    """What each wizard step still lacks before the profile can be submitted for review
    ("profile", "credentials", "identity"; an empty list when the step is done)."""
    profile: list[str] = []
    if not practitioner.photo:
        profile.append("Add a profile photo.")
    if not practitioner.bio.strip():
        profile.append("Write a short bio.")
    if not practitioner.modalities.exists():
        profile.append("Choose at least one modality.")
    if not (practitioner.offers_online or practitioner.offers_in_person):
        profile.append("Say whether you work online, in person or both.")
    if practitioner.offers_in_person and not practitioner.location.strip():
        profile.append("Give the location of your in-person sessions.")
    credentials: list[str] = []
    held = list(practitioner.credentials.all())
    if not any(
        credential.kind in (Credential.Kind.LICENCE, Credential.Kind.QUALIFICATION)
        and credential.number.strip()
        and credential.expires_on is not None
        and credential.expires_on > today
        for credential in held
    ):
        credentials.append(
            "Add a licence or qualification with its number and an expiry date in the future."
        )
    if any(
        credential.kind == Credential.Kind.LICENCE
        and credential.expires_on is not None
        and credential.expires_on <= today
        for credential in held
    ):
        credentials.append("Renew or remove the licence that has expired.")
    if not any(
        credential.kind == Credential.Kind.INSURANCE
        and credential.document
        and credential.expires_on is not None
        and credential.expires_on > today
        for credential in held
    ):
        credentials.append("Upload your insurance certificate with an expiry date in the future.")
    identity: list[str] = []
    if not (
        practitioner.legal_given_name
        and practitioner.legal_family_name
        and practitioner.date_of_birth
        and practitioner.country
        and practitioner.identity_document_type
        and practitioner.identity_document_number
    ):
        identity.append("Fill in your identity details for the identity check.")
    return {"profile": profile, "credentials": credentials, "identity": identity}


def practitioner_submission_gaps(*, practitioner: PractitionerProfile, today: date) -> list[str]:
    """Everything a profile still lacks before it can be submitted, in wizard order
    (empty when it is ready)."""
    by_step = practitioner_onboarding_gaps(practitioner=practitioner, today=today)
    return [gap for gaps in by_step.values() for gap in gaps]


def verification_queue() -> QuerySet[VerificationCase]:
    """Open cases, oldest first, with the practitioner and their user loaded."""
    return (
        VerificationCase.objects.filter(decision=VerificationCase.Decision.OPEN)
        .select_related("practitioner__user")
        .order_by("submitted_at", "pk")
    )


def practitioner_current_case(*, practitioner: PractitionerProfile) -> VerificationCase | None:
    return practitioner.verification_cases.order_by("-submitted_at", "-pk").first()
