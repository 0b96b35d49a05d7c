"""The shared interface the section apps build on: opening a record, who may open it,
the sections registry."""

import pytest
from django.http import Http404

from marketplace.clients.records import access, sections
from marketplace.clients.records.models import CareRecord
from marketplace.clients.records.services import care_record_open
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.marketplace.clients.factories import CareRecordFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

pytestmark = pytest.mark.django_db


def test_opening_a_record_is_idempotent_and_audited_once():
    client = UserFactory()
    practitioner = PractitionerProfileFactory()

    first = care_record_open(client=client, practitioner=practitioner, booking_id=7)
    second = care_record_open(client=client, practitioner=practitioner, booking_id=8)

    assert first == second and CareRecord.objects.count() == 1
    assert first.opened_by_booking_id == 7
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "care_record",
        str(first.pk),
    )
    assert entry.subject_user_id == client.pk and entry.actor_id is None


def test_only_the_client_and_the_practitioner_have_access():
    record = CareRecordFactory()
    other = CareRecordFactory()
    staff = UserFactory(roles=["staff"])

    assert access.record_access(user=record.client, record_id=record.pk).role == "client"
    assert (
        access.record_access(user=record.practitioner.user, record_id=str(record.pk)).role
        == "practitioner"
    )
    for stranger in (other.client, other.practitioner.user, staff):
        with pytest.raises(Http404):
            access.record_access(user=stranger, record_id=record.pk)
    for bad_id in ("x", None, 10**9):
        with pytest.raises(Http404):
            access.record_access(user=record.client, record_id=bad_id)
    assert list(access.records_for(record.client)) == [record]
    assert list(access.records_for(record.practitioner.user)) == [record]
    assert not access.records_for(staff).exists()


def test_a_registered_rule_grants_access_with_its_scope(monkeypatch):
    record = CareRecordFactory()
    friend = UserFactory()
    monkeypatch.setattr(access, "_rules", {})

    @access.register_access_rule
    def friends(*, user, record):
        if user == friend:
            return access.Access(record=record, role="grantee", scope={"notes": [1]})
        return None

    granted = access.record_access(user=friend, record_id=record.pk)
    assert (granted.role, granted.scope) == ("grantee", {"notes": [1]})


def test_sections_register_in_order(monkeypatch):
    monkeypatch.setattr(sections, "_sections", {})
    sections.register("b", "Second", None, "care-client-record", order=20)
    sections.register("a", "First", "care-practitioner-record", None, order=10)

    assert [s.key for s in sections.registered()] == ["a", "b"]
    assert (sections.registered()[0].url_name_for_client, sections.registered()[1].order) == (
        None,
        20,
    )
