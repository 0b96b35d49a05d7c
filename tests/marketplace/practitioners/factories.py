import factory

from marketplace.practitioners.models import Modality, PractitionerProfile, Service
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
