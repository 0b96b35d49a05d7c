"""POST /webhooks/kyc/: signature on the raw body, stored once per event id, processed
once after commit, converging whatever the delivery order; never a 500."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.kyc.signatures import sign
from integrations.kyc.types import KycOutcome, KycResult
from marketplace.practitioners.models import KycEvent, VerificationCase
from marketplace.practitioners.webhooks import kyc_event_process
from tests.marketplace.practitioners.factories import VerificationCaseFactory

pytestmark = pytest.mark.django_db

URL = "/webhooks/kyc/"
KycStatus = VerificationCase.KycStatus


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.KYC_WEBHOOK_SECRET = "kyc-test-secret"


@pytest.fixture
def case():
    return VerificationCaseFactory(
        reference="aeyia-case-1", kyc_check_id="kyc_chk_1", kyc_status=KycStatus.PENDING
    )


def result(
    event_id="evt_1", outcome=KycOutcome.PASSED, at=None, check_id="kyc_chk_1", reference=None
):
    return KycResult(
        event_id=event_id,
        check_id=check_id,
        reference=reference or "aeyia-case-1",
        outcome=outcome,
        occurred_at=at or timezone.now(),
        reasons=("manual_review_requested",) if outcome == KycOutcome.NEEDS_REVIEW else (),
    )


SECRET = "kyc-test-secret"


def post(client, body: bytes, header: str | None = None, secret=SECRET):
    headers = {}
    if header is not False:
        headers["HTTP_X_AEYIA_SIGNATURE"] = header or sign(body, secret)
    return client.post(URL, data=body, content_type="application/json", **headers)


def test_the_url_is_mounted():
    assert reverse("kyc-webhook") == URL


def test_a_signed_result_is_stored_and_applied(client, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, result().to_json())

    assert response.status_code == 200
    assert response.json() == {"received": True, "id": "evt_1"}
    event = KycEvent.objects.get()
    assert event.status == KycEvent.Status.PROCESSED and event.attempts == 1
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.PASSED


def test_a_replayed_event_is_stored_and_processed_once(
    client, case, django_capture_on_commit_callbacks
):
    body = result().to_json()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = post(client, body)
        second = post(client, body)

    assert first.status_code == second.status_code == 200
    assert len(callbacks) == 1  # one processing task for two deliveries
    assert KycEvent.objects.count() == 1
    event = KycEvent.objects.get()
    assert event.attempts == 1
    # A task that runs again anyway does nothing.
    kyc_event_process(event_id=event.pk)
    event.refresh_from_db()
    assert event.attempts == 1


@pytest.mark.parametrize("order", ["in order", "reversed"])
def test_out_of_order_results_converge_on_the_latest(
    client, case, order, django_capture_on_commit_callbacks
):
    earlier = timezone.now() - dt.timedelta(minutes=5)
    review = result("evt_review", KycOutcome.NEEDS_REVIEW, at=earlier)
    passed = result("evt_passed", KycOutcome.PASSED, at=earlier + dt.timedelta(minutes=2))
    events = [review, passed] if order == "in order" else [passed, review]
    with django_capture_on_commit_callbacks(execute=True):
        for event in events:
            assert post(client, event.to_json()).status_code == 200

    case.refresh_from_db()
    assert case.kyc_status == KycStatus.PASSED
    assert case.kyc_result_at == passed.occurred_at
    assert set(KycEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_a_decided_case_keeps_its_decision_when_a_late_result_arrives(
    client, django_capture_on_commit_callbacks
):
    case = VerificationCaseFactory(
        reference="aeyia-case-1",
        kyc_check_id="kyc_chk_1",
        decision=VerificationCase.Decision.APPROVED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        post(client, result(outcome=KycOutcome.FAILED).to_json())
    case.refresh_from_db()
    assert case.decision == VerificationCase.Decision.APPROVED
    assert case.kyc_status == KycStatus.FAILED  # recorded for the audit


@pytest.mark.parametrize(
    "bad",
    [
        {"reference": "aeyia-unknown"},
        {"check_id": "kyc_chk_someone_else"},
    ],
)
def test_a_result_that_fits_no_case_fails_on_its_row_not_the_request(
    client, case, bad, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, result(**bad).to_json())

    assert response.status_code == 200
    event = KycEvent.objects.get()
    assert event.status == KycEvent.Status.FAILED
    assert "LookupError" in event.error
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.PENDING


def test_a_missing_signature_is_401_json(client, case):
    response = post(client, result().to_json(), header=False)
    assert response.status_code == 401
    assert response.json()["code"] == "missing_signature"
    assert not KycEvent.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "t=1,v1=00",
        "garbage",
        sign(b"another body", "kyc-test-secret"),
        sign(b"", "wrong-secret"),
        sign(b"x", "kyc-test-secret", 1_000_000),
    ],
    ids=["malformed", "garbage", "other-body", "wrong-secret", "expired"],
)
def test_a_wrong_signature_or_secret_is_400_json(client, case, header):
    response = post(client, result().to_json(), header=header)
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_signature",
        "detail": "The signature did not verify.",
    }
    assert not KycEvent.objects.exists()


def test_a_body_signed_with_the_wrong_secret_is_400(client, case):
    response = post(client, result().to_json(), secret="not-the-secret")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"type": "kyc.check.completed"}',
        b'{"type": "something.else", "event_id": "e"}',
        b'{"type": "kyc.check.completed", "event_id": "e", "check_id": "c", "reference": "r",'
        b' "outcome": "maybe", "occurred_at": "2026-01-01T00:00:00+00:00"}',
        b'{"type": "kyc.check.completed", "event_id": "e", "check_id": "c", "reference": "r",'
        b' "outcome": "passed", "occurred_at": "2026-01-01T00:00:00"}',
        b'{"type": "kyc.check.completed", "event_id": 5, "check_id": "c", "reference": "r",'
        b' "outcome": "passed", "occurred_at": "2026-01-01T00:00:00+00:00"}',
        b"\xff\xfe",
    ],
)
def test_a_signed_body_that_is_not_a_result_is_400_json(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"


def test_other_methods_and_oversized_bodies_are_refused_as_json(client):
    assert client.get(URL).json()["code"] == "method_not_allowed"
    big = b"{" + b" " * (300 * 1024) + b"}"
    response = post(client, big)
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_a_signed_body_in_another_encoding_is_400_not_500(client):
    body = result().to_json().decode().encode("utf-16")
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
