"""FrankieOne with the live adapter configured: submitting stores FrankieOne's ids on the
case (and a resubmission reuses the person); a notification at the secret path is a hint
that is stored once, and processing reads the result from FrankieOne's API and applies
that, never the notification's own claims. FrankieOne's API is `responses`."""

import datetime as dt
import io
import json

import pytest
import responses
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from integrations.kyc import get_kyc
from marketplace.practitioners.models import KycEvent, PractitionerProfile, VerificationCase
from marketplace.practitioners.services import practitioner_submit, verification_reject
from marketplace.practitioners.tasks import refresh_pending_kyc_checks
from marketplace.practitioners.webhooks import kyc_event_process
from tests.accounts.factories import UserFactory
from tests.integrations.kyc import frankieone_bodies as bodies
from tests.marketplace.practitioners.factories import (
    PractitionerProfileFactory,
    VerificationCaseFactory,
    ready_for_review,
)

pytestmark = pytest.mark.django_db

SECRET = "n0tif1cation-secret-for-tests-0123456789abcdef"
URL = f"/webhooks/kyc/frankieone/{SECRET}/"
KycStatus = VerificationCase.KycStatus
RESULT_URL = f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}"


@pytest.fixture(autouse=True)
def _live_frankieone(settings):
    settings.KYC_GATEWAY = "integrations.kyc.live.FrankieOneKyc"
    settings.FRANKIEONE_BASE_URL = bodies.BASE_URL
    settings.FRANKIEONE_API_KEY = bodies.API_KEY
    settings.FRANKIEONE_CUSTOMER_ID = bodies.CUSTOMER_ID
    settings.FRANKIEONE_SERVICE_NAME = bodies.SERVICE
    settings.FRANKIEONE_WORKFLOW_NAME = bodies.WORKFLOW
    settings.FRANKIEONE_NOTIFICATION_SECRET = SECRET
    settings.FRANKIEONE_RETRY_BACKOFF_SECONDS = 0
    get_kyc.cache_clear()
    yield
    get_kyc.cache_clear()


@pytest.fixture
def api():
    with responses.RequestsMock(
        assert_all_requests_are_fired=True, registry=responses.registries.OrderedRegistry
    ) as mock:
        yield mock


@pytest.fixture
def staff_user():
    return UserFactory(roles=[Role.STAFF], email="staff@example.org")


@pytest.fixture
def case():
    return VerificationCaseFactory(
        reference="aeyia-case-1",
        kyc_check_id=bodies.EXECUTION_ID,
        kyc_entity_id=bodies.ENTITY_ID,
        kyc_status=KycStatus.PENDING,
    )


def notify(client, body, url=URL):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(url, data=data, content_type="application/json")


def test_the_url_is_mounted():
    assert (
        reverse("kyc-frankieone-notification", kwargs={"secret": "abc"})
        == "/webhooks/kyc/frankieone/abc"
    )


def test_submitting_stores_frankieones_ids_and_a_resubmission_reuses_the_person(
    api, django_capture_on_commit_callbacks, staff_user
):
    draft = ready_for_review(PractitionerProfileFactory(status=PractitionerProfile.Status.DRAFT))
    api.post(f"{bodies.BASE_URL}/v2/individuals", json=bodies.created(), status=201)
    api.post(f"{bodies.workflow_path()}/execute", json=bodies.accepted(), status=202)

    with django_capture_on_commit_callbacks(execute=True):
        case = practitioner_submit(practitioner=draft)

    case.refresh_from_db()
    assert (case.kyc_entity_id, case.kyc_check_id, case.kyc_request_id) == (
        bodies.ENTITY_ID,
        bodies.EXECUTION_ID,
        "01HN9XK1RQ2ST3UV4WX5YZ6AB7",
    )
    assert case.kyc_status == KycStatus.PENDING
    sent = json.loads(api.calls[0].request.body)["individual"]
    assert {"name": "aeyia_user_id", "value": str(draft.user_id), "type": "CUSTOMER"} in sent[
        "externalReferences"
    ]

    # Sent back, fixed and submitted again: the same FrankieOne person, a new execution.
    verification_reject(case=case, decided_by=staff_user, reason="Blurred photo.")
    api.post(f"{bodies.workflow_path()}/execute", json=bodies.accepted("exec-2"), status=202)
    with django_capture_on_commit_callbacks(execute=True):
        second = practitioner_submit(practitioner=PractitionerProfile.objects.get(pk=draft.pk))

    assert [call.request.method for call in api.calls] == ["POST", "POST", "POST"]
    assert api.calls[2].request.url == f"{bodies.workflow_path()}/execute"
    second.refresh_from_db()
    assert (second.kyc_entity_id, second.kyc_check_id) == (bodies.ENTITY_ID, "exec-2")


def test_a_wrong_or_missing_secret_is_a_404_and_stores_nothing(client, settings, case):
    assert (
        notify(client, bodies.notification(), "/webhooks/kyc/frankieone/guess/").status_code == 404
    )
    assert notify(client, bodies.notification(), URL.replace("n0t", "n1t")).status_code == 404
    settings.FRANKIEONE_NOTIFICATION_SECRET = ""
    assert notify(client, bodies.notification()).status_code == 404
    assert not KycEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        json.dumps({**bodies.notification(), "entityId": None}).encode(),
        json.dumps({**bodies.notification(), "function": "<script>"}).encode(),
    ],
    ids=["not json", "not an object", "no entity", "not an identifier"],
)
def test_a_body_that_is_not_a_notification_is_a_400(client, case, body, caplog):
    response = notify(client, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert not KycEvent.objects.exists()
    assert SECRET not in caplog.text


def test_other_methods_are_refused(client):
    assert client.get(URL).status_code == 405


def test_a_hint_makes_us_read_the_result_and_apply_what_the_api_says(
    client, case, api, django_capture_on_commit_callbacks
):
    # The notification claims success; FrankieOne's API says the check failed.
    api.get(RESULT_URL, json=bodies.execution("FAIL", issues=[{"issue": "BAD_DATA_ID"}]))

    with django_capture_on_commit_callbacks(execute=True):
        response = notify(client, bodies.notification(function_result="SUCCESS"))

    assert response.status_code == 202
    assert response.json() == {
        "received": True,
        "id": "frankieone:01HN9XK1RQ2ST3UV4WX5YZ6AB7:WorkflowComplete",
    }
    request = api.calls[0].request
    assert request.method == "GET"
    assert request.headers["api_key"] == bodies.API_KEY
    assert request.headers["X-Frankie-CustomerID"] == bodies.CUSTOMER_ID
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.FAILED
    assert case.kyc_reasons == ["result_fail", "issue_bad_data_id"]
    event = KycEvent.objects.get()
    assert event.source == KycEvent.Source.FRANKIEONE_NOTIFICATION
    assert event.status == KycEvent.Status.PROCESSED


def test_the_request_id_frankieone_appends_to_the_path_is_accepted(
    client, case, api, django_capture_on_commit_callbacks
):
    api.get(RESULT_URL, json=bodies.execution("PASS"))
    body = {key: value for key, value in bodies.notification().items() if key != "requestId"}

    with django_capture_on_commit_callbacks(execute=True):
        response = notify(client, body, f"{URL}01HN9XK1RQ2ST3UV4WX5YZ6AB7")

    assert response.status_code == 202
    assert KycEvent.objects.get().event_id.startswith("frankieone:01HN9XK1RQ2ST3UV4WX5YZ6AB7:")
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.PASSED


def test_a_duplicate_hint_does_nothing_twice(client, case, api, django_capture_on_commit_callbacks):
    api.get(RESULT_URL, json=bodies.execution("PASS"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = notify(client, bodies.notification())
        second = notify(client, bodies.notification())

    assert first.status_code == second.status_code == 202
    assert len(callbacks) == 1 and len(api.calls) == 1
    event = KycEvent.objects.get()
    kyc_event_process(event_id=event.pk)  # a task that runs again anyway
    event.refresh_from_db()
    assert event.attempts == 1 and len(api.calls) == 1


def test_a_running_check_changes_nothing_until_the_result_is_there(
    client, case, api, django_capture_on_commit_callbacks
):
    api.get(RESULT_URL, json=bodies.execution("IN_PROGRESS", "IN_PROGRESS"))
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            notify(client, bodies.notification(function="EntityProfileUpdated")).status_code == 202
        )

    case.refresh_from_db()
    assert case.kyc_status == KycStatus.PENDING
    early = KycEvent.objects.get()
    assert early.status == KycEvent.Status.FAILED and "still running" in early.error

    # Out of order: the completion hint, then the early hint's retry, converge on REVIEW.
    api.get(RESULT_URL, json=bodies.execution("REVIEW"))
    api.get(RESULT_URL, json=bodies.execution("REVIEW"))
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, bodies.notification()).status_code == 202
    kyc_event_process(event_id=early.pk)

    case.refresh_from_db()
    assert case.kyc_status == KycStatus.NEEDS_REVIEW
    assert set(KycEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_a_hint_for_a_person_we_do_not_know_is_kept_failed(
    client, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = notify(client, bodies.notification(entity_id="0000-unknown"))

    assert response.status_code == 202
    event = KycEvent.objects.get()
    assert event.status == KycEvent.Status.FAILED
    assert "no verification case" in event.error
    assert len(api.calls) == 0


def test_an_api_failure_is_kept_on_the_row_for_a_retry(
    client, case, api, django_capture_on_commit_callbacks
):
    api.get(RESULT_URL, json=bodies.error("AUTH-0002,", "Unauthorized"), status=401)

    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, bodies.notification()).status_code == 202

    event = KycEvent.objects.get()
    assert event.status == KycEvent.Status.FAILED
    assert "refused our credentials" in event.error and bodies.API_KEY not in event.error
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.PENDING


def test_checks_pending_for_a_while_are_read_and_applied_by_beat(api, case):
    recent = VerificationCaseFactory(
        reference="aeyia-case-2",
        kyc_check_id="exec-recent",
        kyc_entity_id="entity-recent",
        kyc_status=KycStatus.PENDING,
    )
    VerificationCase.objects.filter(pk=case.pk).update(
        submitted_at=timezone.now() - dt.timedelta(minutes=20)
    )
    # The first run: FrankieOne is down for this read; the second: still running; the
    # third: the result, applied. The recent case is never read.
    api.get(RESULT_URL, json=bodies.error("SYS-0503", "Unavailable"), status=503)
    api.get(RESULT_URL, json=bodies.error("SYS-0503", "Unavailable"), status=503)
    api.get(RESULT_URL, json=bodies.error("SYS-0503", "Unavailable"), status=503)
    api.get(RESULT_URL, json=bodies.execution("IN_PROGRESS", "IN_PROGRESS"))
    api.get(RESULT_URL, json=bodies.execution("PASS"))

    assert refresh_pending_kyc_checks() == 0
    assert refresh_pending_kyc_checks() == 0
    case.refresh_from_db()
    assert case.kyc_status == KycStatus.PENDING
    out = io.StringIO()
    call_command("kyc_refresh_pending", stdout=out)

    assert out.getvalue() == "1 pending identity check(s) got their result.\n"

    case.refresh_from_db()
    recent.refresh_from_db()
    assert case.kyc_status == KycStatus.PASSED
    assert recent.kyc_status == KycStatus.PENDING
    assert all(call.request.url == RESULT_URL for call in api.calls)
