"""REST: /api/v1/care-records/{id}/intake/ lists a record's intakes and
/api/v1/care-records/{id}/intake/{booking_id}/ reads one; the client answers with PUT
until the session starts (400 with per-question messages, 409 intake_locked after); the
practitioner reads; anyone else gets 404."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.roles import Role
from marketplace.clients.intake.models import IntakeResponse
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.clients.intake.support import (
    good_answers,
    ids,
    intake_setup,
    move_booking,
    practitioner_with_mfa,
)

pytestmark = pytest.mark.django_db


def urls(setup):
    base = f"/api/v1/care-records/{setup.record.pk}/intake/"
    return base, f"{base}{setup.booking.pk}/"


def test_the_client_answers_and_reads_back_through_the_api(client):
    setup = intake_setup()
    client.force_login(setup.client)
    listing, detail = urls(setup)

    items = client.get(listing).json()
    assert items["count"] == 1
    assert items["results"][0] == {
        "booking_id": setup.booking.pk,
        "service_name": "Reiki",
        "starts_at": items["results"][0]["starts_at"],
        "status": "to_do",
        "locked": False,
        "source": "form",
        "submitted_at": None,
    }
    before = client.get(detail).json()
    assert [q["kind"] for q in before["questions"]][:2] == ["short_text", "long_text"]

    put = client.put(detail, {"answers": good_answers(setup.form)}, content_type="application/json")

    assert put.status_code == 200, put.content
    body = put.json()
    assert body["status"] == "completed"
    assert body["answers"][ids(setup.form)["multiple_choice"]] == ["Neck", "Back"]
    assert {"question": "Taking medication?", "answer": "No"} in body["answer_rows"]
    response = IntakeResponse.objects.get()
    assert AuditEntry.objects.filter(
        object_type="intake_response", object_id=str(response.pk), action="create"
    ).exists()


def test_invalid_answers_are_400_with_messages_per_question(client):
    setup = intake_setup()
    client.force_login(setup.client)
    by_kind = ids(setup.form)
    answers = {**good_answers(setup.form), by_kind["scale"]: 99, by_kind["yes_no"]: "perhaps"}

    reply = client.put(urls(setup)[1], {"answers": answers}, content_type="application/json")

    assert reply.status_code == 400
    body = reply.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]["answers"]) == {by_kind["scale"], by_kind["yes_no"]}
    assert not IntakeResponse.objects.exists()


def test_after_the_session_starts_the_api_answers_409(client):
    setup = intake_setup()
    move_booking(setup.booking, timezone.now() - dt.timedelta(seconds=5))
    client.force_login(setup.client)

    reply = client.put(
        urls(setup)[1], {"answers": good_answers(setup.form)}, content_type="application/json"
    )

    assert reply.status_code == 409 and reply.json()["code"] == "intake_locked"
    assert client.get(urls(setup)[0]).json()["results"][0]["status"] == "not_completed"


def test_the_practitioner_reads_but_does_not_answer(client):
    setup = intake_setup()
    client.force_login(setup.practitioner.user)

    assert client.get(urls(setup)[0]).status_code == 200
    reply = client.put(
        urls(setup)[1], {"answers": good_answers(setup.form)}, content_type="application/json"
    )
    assert reply.status_code == 403 and reply.json()["code"] == "client_only"


@pytest.mark.parametrize("who", ["other_client", "other_practitioner", "staff", "anonymous"])
def test_anyone_else_gets_404_or_401(client, who):
    setup = intake_setup()
    if who == "other_client":
        client.force_login(UserFactory(roles=[Role.CLIENT]))
    elif who == "other_practitioner":
        client.force_login(practitioner_with_mfa().user)
    elif who == "staff":
        staff = UserFactory(is_staff=True)
        enrol_totp(staff)
        client.force_login(staff)
    expected = 401 if who == "anonymous" else 404
    for url in urls(setup):
        assert client.get(url).status_code == expected, url
    reply = client.put(
        urls(setup)[1], {"answers": good_answers(setup.form)}, content_type="application/json"
    )
    assert reply.status_code in (expected, 403)
    assert not IntakeResponse.objects.exists()
    assert not AuditEntry.objects.filter(action="read").exists()


def test_out_of_range_ids_are_404_not_500(client):
    setup = intake_setup()
    client.force_login(setup.client)
    assert client.get(f"/api/v1/care-records/{2**64}/intake/").status_code == 404
    assert client.get(f"/api/v1/care-records/{setup.record.pk}/intake/{2**64}/").status_code == 404
    assert client.get(f"/api/v1/care-records/{setup.record.pk}/intake/?limit=0").status_code == 400
