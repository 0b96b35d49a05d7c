"""Shared factories for the client-records apps (records, intake, consent, notes,
documents, sharing, messaging). Add yours here with a small edit, or keep them in your
own module next to your tests."""

import factory

from marketplace.clients.records.models import CareRecord
from tests.accounts.factories import UserFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory


class CareRecordFactory(factory.django.DjangoModelFactory):
    """A care record between a new client and a new active practitioner (both with their
    roles), as their first confirmed booking would open it."""

    class Meta:
        model = CareRecord
        django_get_or_create = ("client", "practitioner")

    client = factory.SubFactory(UserFactory, roles=["client"])
    practitioner = factory.SubFactory(
        PractitionerProfileFactory, user=factory.SubFactory(UserFactory, roles=["practitioner"])
    )
