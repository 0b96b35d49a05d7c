"""/webhooks/typeform/: Typeform-Signature over the raw body (vendor vectors), each response
stored once on its token, matched to the booking by the signed `booking` hidden field,
applied after commit; replays, late older responses and forged references change
nothing, and nothing answers 500."""

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from integrations.typeform.local import LocalTypeform
from integrations.typeform.signatures import sign
from marketplace.clients.intake.models import IntakeResponse, ServiceIntake, TypeformEvent
from marketplace.clients.intake.references import booking_reference
from marketplace.clients.intake.webhooks import typeform_events_redrive
from privacy.models import AuditEntry
from tests.integrations.typeform.support import VECTORS, answer, form_response, webhook_body
from tests.marketplace.clients.intake.support import CANARY, intake_setup

pytestmark = pytest.mark.django_db(transaction=False)

URL = "/webhooks/typeform/"
FORM_ID = "tfIntake1"


_capture = []


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    """Deliveries are processed after commit (through the outbox, eager here): run those
    callbacks as a committed request would."""
    _capture.append(django_capture_on_commit_callbacks)
    yield
    _capture.pop()


def post(client, body: bytes, header: str | None):
    headers = {"HTTP_TYPEFORM_SIGNATURE": header} if header is not None else {}
    with _capture[-1](execute=True):
        return client.post(URL, data=body, content_type="application/json", **headers)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def delivery(setup, *, token: str, submitted_at: dt.datetime, text: str, booking_ref=None):
    hidden = {
        "booking": booking_ref if booking_ref is not None else booking_reference(setup.booking.pk)
    }
    return webhook_body(
        form_response(
            form_id=FORM_ID,
            token=token,
            submitted_at=_stamp(submitted_at),
            hidden=hidden,
            answers=[
                answer("reason", "text", text, field_type="long_text"),
                answer("first", "boolean", True, field_type="yes_no"),
                answer("when", "choice", {"label": "Evening"}, field_type="multiple_choice"),
            ],
            titles={"reason": "What brings you?"},
        ),
        event_id=f"evt-{token}",
    )


def link_secret(setup) -> str:
    return ServiceIntake.objects.get(service=setup.service).typeform_secret


def test_vendor_vectors_through_the_view(client):
    valid, invalid = VECTORS["vendor_vectors"]
    derived = VECTORS["derived_vectors"][0]
    with override_settings(TYPEFORM_WEBHOOK_SECRET=valid["secret"]):
        ok = post(client, valid["payload"].encode(), valid["header"])
        bad = post(client, invalid["payload"].encode(), invalid["header"])
        reserialised = post(client, derived["payload"].encode(), valid["header"])

    assert ok.status_code == 200 and ok.json() == {"received": True, "stored": False}
    assert bad.status_code == 403 and bad.json()["code"] == "invalid_signature"
    assert reserialised.status_code == 403
    assert not TypeformEvent.objects.exists()


def test_a_response_signed_with_the_links_secret_becomes_the_intake(client):
    setup = intake_setup(typeform=FORM_ID)
    body = delivery(setup, token="tokA", submitted_at=timezone.now(), text="Low back pain")

    reply = post(client, body, sign(body, link_secret(setup)))

    assert reply.status_code == 200 and reply.json()["stored"] is True
    event = TypeformEvent.objects.get()
    assert event.status == TypeformEvent.Status.PROCESSED
    response = IntakeResponse.objects.get()
    assert (response.booking_id, response.record, response.source) == (
        setup.booking.pk,
        setup.record,
        "typeform",
    )
    assert event.response == response
    values = {item["field_ref"]: item["value"] for item in response.answers}
    assert values == {"reason": "Low back pain", "first": True, "when": "Evening"}
    assert AuditEntry.objects.filter(
        object_type="intake_response", object_id=str(response.pk), action="create"
    ).exists()


def test_the_deployment_secret_also_verifies(client):
    setup = intake_setup(typeform=FORM_ID)
    body = delivery(setup, token="tokD", submitted_at=timezone.now(), text="x")
    with override_settings(TYPEFORM_WEBHOOK_SECRET="deployment-secret"):
        assert post(client, body, sign(body, "deployment-secret")).status_code == 200
    assert IntakeResponse.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=AAAA", "sha256=" + "A" * 44, "X2b3nUhiGjaWHxmPO/YQzUvHXBNac4gPjZ5/bjXrhQY="],
    ids=["absent", "empty", "short", "wrong", "no-prefix"],
)
def test_a_bad_signature_stores_nothing(client, header):
    setup = intake_setup(typeform=FORM_ID)
    body = delivery(setup, token="tokB", submitted_at=timezone.now(), text="x")

    reply = post(client, body, header)

    assert reply.status_code in (401, 403)
    assert reply.status_code == (401 if not header else 403)
    assert not TypeformEvent.objects.exists() and not IntakeResponse.objects.exists()


def test_another_forms_secret_does_not_verify(client):
    setup = intake_setup(typeform=FORM_ID)
    other = intake_setup(typeform="tfOther")
    body = delivery(setup, token="tokX", submitted_at=timezone.now(), text="x")

    assert post(client, body, sign(body, link_secret(other))).status_code == 403
    assert not TypeformEvent.objects.exists()


def test_a_replay_of_the_same_token_stores_one_response(client):
    setup = intake_setup(typeform=FORM_ID)
    body = delivery(setup, token="tokR", submitted_at=timezone.now(), text="Once")
    header = sign(body, link_secret(setup))

    first = post(client, body, header)
    second = post(client, body, header)
    # The same response re-sent with another event id is still the same token.
    again = body.replace(b'"evt-tokR"', b'"evt-other"')
    third = post(client, again, sign(again, link_secret(setup)))

    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert TypeformEvent.objects.count() == 1
    assert IntakeResponse.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="intake_response", action="create").count() == 1


def test_an_older_response_delivered_late_does_not_overwrite_a_newer_one(client):
    setup = intake_setup(typeform=FORM_ID)
    now = timezone.now()
    newer = delivery(setup, token="tokNew", submitted_at=now, text="Newer answer")
    older = delivery(setup, token="tokOld", submitted_at=now - dt.timedelta(hours=2), text="Older")
    secret = link_secret(setup)

    post(client, newer, sign(newer, secret))
    post(client, older, sign(older, secret))

    response = IntakeResponse.objects.get()
    assert response.typeform_token == "tokNew"
    assert response.answers[0]["value"] == "Newer answer"
    assert TypeformEvent.objects.filter(status="processed").count() == 2

    latest = delivery(
        setup, token="tokLatest", submitted_at=now + dt.timedelta(minutes=5), text="Latest"
    )
    post(client, latest, sign(latest, secret))
    response.refresh_from_db()
    assert response.answers[0]["value"] == "Latest"


@pytest.mark.parametrize(
    "reference", ["", "1", "forged:abc", "bad"], ids=["missing", "plain-id", "forged", "garbage"]
)
def test_an_unknown_or_forged_booking_reference_is_kept_as_failed(client, reference):
    setup = intake_setup(typeform=FORM_ID)
    if reference == "bad":
        reference = booking_reference(setup.booking.pk)[:-3] + "xyz"
    body = delivery(
        setup, token="tokF", submitted_at=timezone.now(), text="x", booking_ref=reference
    )

    reply = post(client, body, sign(body, link_secret(setup)))

    assert reply.status_code == 200
    event = TypeformEvent.objects.get()
    assert event.status == TypeformEvent.Status.FAILED
    assert "TypeformNotMatched" in event.error
    assert not IntakeResponse.objects.exists()
    assert typeform_events_redrive() == 0  # nothing a retry would change


def test_a_response_after_the_session_started_is_refused(client):
    setup = intake_setup(typeform=FORM_ID)
    late = setup.booking.starts_at + dt.timedelta(minutes=1)
    body = delivery(setup, token="tokL", submitted_at=late, text="x")

    post(client, body, sign(body, link_secret(setup)))

    assert TypeformEvent.objects.get().status == TypeformEvent.Status.FAILED
    assert not IntakeResponse.objects.exists()


def test_a_response_for_a_service_with_another_form_is_refused(client):
    setup = intake_setup(typeform=FORM_ID)
    body = delivery(setup, token="tokW", submitted_at=timezone.now(), text="x").replace(
        FORM_ID.encode(), b"tfElse"
    )
    with override_settings(TYPEFORM_WEBHOOK_SECRET="dep"):
        post(client, body, sign(body, "dep"))
    assert TypeformEvent.objects.get().status == TypeformEvent.Status.FAILED


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        json.dumps({"event_type": "form_response", "form_response": {"token": ""}}).encode(),
    ],
    ids=["not-json", "no-token"],
)
def test_a_signed_body_we_cannot_read_is_400(client, body):
    with override_settings(TYPEFORM_WEBHOOK_SECRET="dep"):
        reply = post(client, body, sign(body, "dep"))
    assert reply.status_code == 400
    assert not TypeformEvent.objects.exists()


def test_other_methods_are_405(client):
    assert client.get(URL).status_code == 405


def test_the_stored_body_is_encrypted(client):
    from django.db import connection

    setup = intake_setup(typeform=FORM_ID)
    body = delivery(setup, token="tokC", submitted_at=timezone.now(), text=f"about {CANARY}")
    post(client, body, sign(body, link_secret(setup)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM intake_typeformevent")
        [(stored_body,)] = cursor.fetchall()
        cursor.execute("SELECT answers FROM intake_intakeresponse")
        [(stored_answers,)] = cursor.fetchall()
    assert CANARY not in str(stored_body) and CANARY not in str(stored_answers)


def test_the_offline_form_fills_the_intake_through_the_same_path(client):
    LocalTypeform.reset()
    setup = intake_setup(typeform=FORM_ID)
    client.force_login(setup.client)
    fill = reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk])

    page = client.get(fill)
    assert page.status_code == 200
    link = page.context["typeform_url"]
    assert link.startswith(f"/typeform-local/{FORM_ID}/?booking=")

    form_page = client.get(link)
    assert form_page.status_code == 200 and b"Offline Typeform" in form_page.content
    missing = client.post(link, {"first_time": "yes"})
    assert missing.status_code == 400 and not IntakeResponse.objects.exists()
    with _capture[-1](execute=True):
        sent = client.post(link, {"reason": "Sleep", "first_time": "no", "contact_time": "Morning"})
    assert sent.status_code == 200 and b"Your answers were sent" in sent.content

    response = IntakeResponse.objects.get()
    assert {item["field_ref"]: item["value"] for item in response.answers} == {
        "reason": "Sleep",
        "first_time": False,
        "contact_time": "Morning",
    }
    assert b"Sleep" in client.get(fill).content
    LocalTypeform.reset()


def test_the_offline_form_is_404_when_typeform_is_live(client):
    with override_settings(TYPEFORM_GATEWAY="integrations.typeform.live.TypeformLiveClient"):
        assert client.get("/typeform-local/tfAny/").status_code == 404


def dropped(body: bytes, signature: str) -> None:
    """A webhook that never arrived."""


def test_the_catch_up_stores_responses_no_webhook_brought():
    from marketplace.clients.intake.webhooks import typeform_responses_catch_up

    LocalTypeform.reset()
    setup = intake_setup(typeform=FORM_ID)
    with override_settings(
        TYPEFORM_LOCAL_WEBHOOK_RECEIVER="tests.marketplace.clients.intake.test_typeform_webhook.dropped"
    ):
        LocalTypeform.submit(
            form_id=FORM_ID,
            hidden={"booking": booking_reference(setup.booking.pk)},
            values={"reason": "Missed by the webhook", "first_time": True},
        )
    assert not TypeformEvent.objects.exists()

    with _capture[-1](execute=True):
        assert typeform_responses_catch_up() == 1
    with _capture[-1](execute=True):
        assert typeform_responses_catch_up() == 0

    event = TypeformEvent.objects.get()
    assert event.status == TypeformEvent.Status.PROCESSED
    response = IntakeResponse.objects.get()
    assert response.booking_id == setup.booking.pk
    assert response.answers[0]["value"] == "Missed by the webhook"
    assert response.answers[0]["title"] == "What would you like to work on?"
    LocalTypeform.reset()
