"""Break-glass: staff are nobody to a record until they state a reason in the Wagtail
admin; then, for BREAK_GLASS_MINUTES, they can read it (role break_glass), the client is
emailed the reason, and the opening and every read are audited."""

import datetime as dt

import pytest
from django.core import mail
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.clients.records.access import record_access
from marketplace.clients.records.errors import BreakGlassRefused
from marketplace.clients.records.models import BreakGlassGrant
from marketplace.clients.records.services import break_glass_open
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db

REASON = "Police welfare request, ticket 4411"


@pytest.fixture
def staff(client):
    user = UserFactory(roles=["staff"])
    enrol_totp(user)
    client.force_login(user)
    return user


def test_without_break_glass_staff_get_404_on_pages_and_api(client, staff):
    record = CareRecordFactory()

    assert client.get(f"/dashboard/practice/clients/{record.pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(staff)
    assert api.get(f"/api/v1/care-records/{record.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(actor_id=staff.pk).exists()


def test_staff_state_a_reason_and_read_the_record_for_the_window(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.BREAK_GLASS_MINUTES = 30
    record = CareRecordFactory()
    screen = reverse("care_break_glass")
    assert client.get(screen).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(screen, {"record": record.pk, "reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/practice/clients/{record.pk}/"
    grant = BreakGlassGrant.objects.get()
    assert grant.expires_at - grant.started_at == dt.timedelta(minutes=30)
    opened = AuditEntry.objects.get(action="break_glass")
    assert (opened.actor_id, opened.subject_user_id, opened.object_id) == (
        staff.pk,
        record.client_id,
        str(record.pk),
    )
    assert REASON not in str(opened.details)  # the reason is in the grant, encrypted
    (message,) = mail.outbox
    assert message.to == [record.client.email]
    assert f"A member of Aeyia staff accessed your record because: {REASON}" in message.body
    assert "/account/care/access/" in message.body

    page = client.get(response["Location"])
    assert page.status_code == 200 and "emergency access" in page.content.decode()
    read = AuditEntry.objects.get(action="read", actor_id=staff.pk)
    assert read.details["role"] == "break_glass"
    assert record_access(user=staff, record_id=record.pk).role == "break_glass"
    # The client's page stays the client's.
    assert client.get(f"/account/care/{record.pk}/").status_code == 404

    # The client sees it in their access history.
    client.force_login(record.client)
    history = client.get("/account/care/access/").content.decode()
    assert "Aeyia staff (emergency access)" in history


def test_the_window_closes(staff):
    record = CareRecordFactory()
    grant = break_glass_open(staff=staff, record_id=record.pk, reason=REASON)
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=2),
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )

    with pytest.raises(Http404):
        record_access(user=staff, record_id=record.pk)


@pytest.mark.parametrize("reason", ["", "   ", "because"])
def test_a_reason_is_required(client, staff, reason):
    record = CareRecordFactory()

    response = client.post(reverse("care_break_glass"), {"record": record.pk, "reason": reason})

    assert response.status_code == 400
    assert not BreakGlassGrant.objects.exists() and not AuditEntry.objects.exists()
    with pytest.raises(BreakGlassRefused):
        break_glass_open(staff=staff, record_id=record.pk, reason=reason)


def test_an_unknown_record_is_a_form_error(client, staff):
    response = client.post(reverse("care_break_glass"), {"record": 10**12, "reason": REASON})

    assert response.status_code == 400
    assert "There is no care record with this number." in response.content.decode()


def test_people_who_are_not_staff_cannot_open_it(client):
    record = CareRecordFactory()
    practitioner = record.practitioner.user
    with pytest.raises(BreakGlassRefused):
        break_glass_open(staff=practitioner, record_id=record.pk, reason=REASON)
    editor = UserFactory(roles=["editor"])
    enrol_totp(editor)
    client.force_login(editor)

    response = client.post(reverse("care_break_glass"), {"record": record.pk, "reason": REASON})

    assert response.status_code in (302, 403)
    assert not BreakGlassGrant.objects.exists()
