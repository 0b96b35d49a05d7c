"""Reads for the care record."""

from django.db.models import QuerySet

from marketplace.clients.records.access import records_for
from marketplace.clients.records.models import CareRecord

__all__ = ["records_for", "records_as_client", "records_as_practitioner"]


def records_as_client(user) -> QuerySet[CareRecord]:
    """The client's own records (the "my care" list), with the practitioner loaded."""
    if not getattr(user, "is_authenticated", False):
        return CareRecord.objects.none()
    return CareRecord.objects.filter(client=user).select_related("practitioner")


def records_as_practitioner(user) -> QuerySet[CareRecord]:
    """The records of the practitioner's own clients, with the client loaded."""
    if not getattr(user, "is_authenticated", False):
        return CareRecord.objects.none()
    return CareRecord.objects.filter(practitioner__user=user).select_related("client")
