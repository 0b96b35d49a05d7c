import datetime as dt
import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from marketplace.practitioners.models import (
    Credential,
    Modality,
    PractitionerProfile,
    Service,
    VerificationCase,
)
from tests.accounts.factories import UserFactory


class PractitionerProfileFactory(factory.django.DjangoModelFactory):
    """An active practitioner in London unless told otherwise."""

    class Meta:
        model = PractitionerProfile

    user = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"practitioner-{n}")
    display_name = factory.Sequence(lambda n: f"Practitioner {n}")
    status = PractitionerProfile.Status.ACTIVE
    time_zone = "Europe/London"


class ModalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Modality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Modality {n}")
    slug = factory.Sequence(lambda n: f"modality-{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    """A 60-minute online session by card, no buffers or notice, bookable 90 days ahead."""

    class Meta:
        model = Service

    practitioner = factory.SubFactory(PractitionerProfileFactory)
    modality = factory.SubFactory(ModalityFactory)
    name = factory.Sequence(lambda n: f"Session {n}")
    duration_minutes = 60
    price = 6000
    currency = "GBP"
    minimum_notice_minutes = 0
    maximum_advance_days = 90
    cancellation_tiers = factory.LazyFunction(
        lambda: [
            {"hours_before": 24, "refund_percent": 100},
            {"hours_before": 2, "refund_percent": 50},
        ]
    )


class CredentialFactory(factory.django.DjangoModelFactory):
    """A licence that expires in a year, accepted."""

    class Meta:
        model = Credential

    practitioner = factory.SubFactory(PractitionerProfileFactory)
    kind = Credential.Kind.LICENCE
    title = "Registered psychotherapist"
    issuer = "UKCP"
    number = factory.Sequence(lambda n: f"UKCP-{n:05d}")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    status = Credential.Status.ACCEPTED


class VerificationCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerificationCase

    practitioner = factory.SubFactory(
        PractitionerProfileFactory, status=PractitionerProfile.Status.SUBMITTED
    )
    reference = factory.Sequence(lambda n: f"aeyia-test-{n}")
    kyc_check_id = factory.Sequence(lambda n: f"kyc_chk_test_{n}")
    kyc_status = VerificationCase.KycStatus.PASSED
    submitted_at = factory.LazyFunction(timezone.now)


PNG_HEADER_COLOUR = (40, 110, 100)


def png_bytes(size: tuple[int, int] = (320, 320)) -> bytes:
    """A real PNG that Pillow decodes."""
    buffer = io.BytesIO()
    Image.new("RGB", size, PNG_HEADER_COLOUR).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    """A minimal one-page PDF (starts with the %PDF- magic bytes)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def ready_for_review(practitioner: PractitionerProfile, *, document_number: str = "P1234567"):
    """Fills every piece a submission needs: photo, bio, modality, a licence, insurance
    with its document, and identity details."""
    practitioner.photo.save("face.png", ContentFile(png_bytes()), save=False)
    practitioner.bio = "I help people with anxiety."
    practitioner.languages = "English"
    practitioner.offers_online = True
    practitioner.legal_given_name = "Priya"
    practitioner.legal_family_name = "Patel"
    practitioner.date_of_birth = dt.date(1985, 4, 2)
    practitioner.country = "GB"
    practitioner.identity_document_type = "passport"
    practitioner.identity_document_number = document_number
    practitioner.save()
    practitioner.modalities.add(ModalityFactory(name="Psychotherapy", slug="psychotherapy"))
    CredentialFactory(practitioner=practitioner, status=Credential.Status.PENDING)
    insurance = CredentialFactory(
        practitioner=practitioner,
        kind=Credential.Kind.INSURANCE,
        title="Professional indemnity",
        issuer="Balens",
        status=Credential.Status.PENDING,
    )
    insurance.document.save("policy.pdf", ContentFile(pdf_bytes()))
    return practitioner
