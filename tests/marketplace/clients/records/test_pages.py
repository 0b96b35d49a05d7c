"""The record pages and their API: who sees what, the tabs from the sections registry,
the pair's sessions, "who accessed my record", and an audit row for every read."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from commerce.bookings.models import Booking
from marketplace.clients.records import sections
from marketplace.clients.records.models import BreakGlassGrant
from privacy.audit import audit
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.clients.factories import CareRecordFactory
from tests.marketplace.practitioners.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return CareRecordFactory(
        client=UserFactory(first_name="Ada", last_name="Lovelace", roles=["client"])
    )


def _practitioner_client(client, record):
    enrol_totp(record.practitioner.user)
    client.force_login(record.practitioner.user)
    return client


def _reads(user):
    return AuditEntry.objects.filter(actor_id=user.pk, action="read")


def test_the_practitioner_opens_the_record_with_the_clients_name_sessions_and_tabs(
    client, record, monkeypatch
):
    monkeypatch.setattr(sections, "_sections", {})
    sections.register("notes", "Session notes", "care-practitioner-record", None, order=30)
    service = ServiceFactory(practitioner=record.practitioner, name="First consultation")
    start = timezone.now() + dt.timedelta(days=2)
    Booking.objects.create(
        client=record.client,
        practitioner=record.practitioner,
        service=service,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        blocked_start=start,
        blocked_end=start + dt.timedelta(hours=1),
        status=Booking.Status.CONFIRMED,
        pay_with="card",
    )
    _practitioner_client(client, record)

    response = client.get(f"/dashboard/practice/clients/{record.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html and "First consultation" in html
    assert 'aria-label="Sections of this care record"' in html and "Session notes" in html
    entry = _reads(record.practitioner.user).get()
    assert (entry.subject_user_id, entry.object_type, entry.object_id) == (
        record.client_id,
        "care_record",
        str(record.pk),
    )
    assert entry.details == {"record_id": record.pk, "role": "practitioner"}
    assert entry.request_id == response["X-Request-ID"] and entry.ip == "127.0.0.1"
    # The practice's client list links to the record.
    clients = client.get(reverse("practice-clients")).content.decode()
    assert f'href="/dashboard/practice/clients/{record.pk}/"' in clients


def test_the_client_sees_my_care_and_the_record_but_not_the_practitioner_side(client, record):
    client.force_login(record.client)

    listing = client.get("/account/care/")
    page = client.get(f"/account/care/{record.pk}/")

    assert (
        listing.status_code == 200 and record.practitioner.display_name in listing.content.decode()
    )
    assert page.status_code == 200
    assert f"Your care with {record.practitioner.display_name}" in page.content.decode()
    assert client.get(f"/dashboard/practice/clients/{record.pk}/").status_code == 404
    assert _reads(record.client).filter(object_type="care_record").count() == 1
    assert _reads(record.client).filter(object_type="care_record_list").count() == 1


def test_who_accessed_my_record_names_the_practitioner_staff_in_an_emergency_not_myself(
    client, record
):
    staff = UserFactory(roles=["staff"])
    BreakGlassGrant.objects.create(
        staff=staff,
        record=record,
        reason="Welfare check",
        started_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    for actor, role in ((record.practitioner.user, "practitioner"), (staff, "break_glass")):
        audit(
            actor=actor,
            action="read",
            subject_user_id=record.client_id,
            object_type="care_record",
            object_id=record.pk,
            details={"record_id": record.pk, "role": role},
        )
    audit(
        actor=record.client,
        action="read",
        subject_user_id=record.client_id,
        object_type="care_record",
        object_id=record.pk,
    )
    client.force_login(record.client)

    html = client.get("/account/care/access/").content.decode()

    assert f"{record.practitioner.display_name}, practitioner" in html
    assert "Aeyia staff (emergency access)" in html
    assert "Welfare check" not in html
    assert html.count("<tr>") == 1 + 2  # the header row, then the two accesses by others
    api = APIClient()
    api.force_authenticate(record.client)
    body = api.get("/api/v1/care-records/access-log/").json()
    assert body["count"] == 2
    assert {event["who"] for event in body["results"]} == {
        f"{record.practitioner.display_name}, practitioner",
        "Aeyia staff (emergency access)",
    }


def test_the_access_history_pages_through_many_entries(client, record):
    for _ in range(30):
        audit(
            actor=record.practitioner.user,
            action="read",
            subject_user_id=record.client_id,
            object_type="care_record",
            object_id=record.pk,
        )
    client.force_login(record.client)

    first = client.get("/account/care/access/").content.decode()
    second = client.get("/account/care/access/?page=2").content.decode()

    assert "Page 1 of 2" in first and first.count("<tr>") == 26
    assert second.count("<tr>") == 1 + 5


def test_the_api_lists_and_shows_records_to_their_parties_only(record):
    other = CareRecordFactory()
    api = APIClient()

    assert api.get("/api/v1/care-records/").status_code == 401
    api.force_authenticate(record.client)
    listing = api.get("/api/v1/care-records/").json()
    assert [row["id"] for row in listing["results"]] == [record.pk]
    assert listing["results"][0]["role"] == "client"
    detail = api.get(f"/api/v1/care-records/{record.pk}/")
    assert detail.status_code == 200
    assert detail.json()["practitioner"]["name"] == record.practitioner.display_name
    missing = api.get(f"/api/v1/care-records/{other.pk}/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert api.get("/api/v1/care-records/?limit=0").status_code == 400

    api.force_authenticate(record.practitioner.user)
    assert api.get(f"/api/v1/care-records/{record.pk}/").json()["role"] == "practitioner"
    assert api.get(f"/api/v1/care-records/{other.pk}/").status_code == 404
    reads = AuditEntry.objects.filter(action="read", object_type="care_record")
    assert reads.count() == 2  # one per successful detail read, none for the 404s
