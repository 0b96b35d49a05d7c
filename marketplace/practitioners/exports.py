"""A practitioner's own profile, services, credentials and applications in their data
export (privacy.export). Credential documents go in as files."""

from collections.abc import Iterator

from privacy.export import ExportItem, exclude, json_file, register


def practitioner_export(user) -> Iterator[ExportItem]:
    from marketplace.practitioners.models import Credential, PractitionerProfile, Service

    profile = PractitionerProfile.objects.filter(user=user).first()
    if profile is None:
        return
    yield json_file(
        "profile.json",
        {
            "display_name": profile.display_name,
            "slug": profile.slug,
            "bio": profile.bio,
            "languages": profile.languages,
            "status": profile.status,
            "time_zone": profile.time_zone,
            "offers_online": profile.offers_online,
            "offers_in_person": profile.offers_in_person,
            "location": profile.location,
            "legal_given_name": profile.legal_given_name,
            "legal_family_name": profile.legal_family_name,
            "date_of_birth": profile.date_of_birth,
            "country": profile.country,
            "identity_document_number": profile.identity_document_number,
            "modalities": sorted(profile.modalities.values_list("name", flat=True)),
            "verified_at": profile.verified_at,
            "created_at": profile.created_at,
        },
    )
    yield json_file(
        "services.json",
        list(
            Service.objects.filter(practitioner=profile).values(
                "name",
                "description",
                "modality__name",
                "duration_minutes",
                "price",
                "currency",
                "credit_price",
                "is_online",
                "location",
                "is_active",
                "created_at",
            )
        ),
    )
    credentials = list(Credential.objects.filter(practitioner=profile))

    def file_path(credential) -> str:
        return f"files/credential-{credential.pk}-{credential.document.name.rsplit('/', 1)[-1]}"

    yield json_file(
        "credentials.json",
        [
            {
                "kind": credential.kind,
                "title": credential.title,
                "issuer": credential.issuer,
                "number": credential.number,
                "expires_on": credential.expires_on,
                "status": credential.status,
                "document": file_path(credential) if credential.document else None,
            }
            for credential in credentials
        ],
    )
    for credential in credentials:
        if credential.document:
            yield file_path(credential), _file_chunks(credential.document)


def _file_chunks(field_file) -> Iterator[bytes]:
    with field_file.open("rb") as handle:
        yield from iter(lambda: handle.read(64 * 1024), b"")


def register_exports() -> None:
    register(
        "practitioner",
        practitioner_export,
        models=(
            "practitioners.PractitionerProfile",
            "practitioners.PractitionerProfile_modalities",
            "practitioners.Service",
            "practitioners.Credential",
        ),
    )
    exclude(
        models=("practitioners.VerificationCase", "practitioners.PractitionerStatusChange"),
        reason="staff's verification decisions and their notes about the practitioner; "
        "the outcome is in the exported profile (status, verified_at)",
    )
