"""The live FrankieOne adapter against `responses`: every outgoing method, path, header and
body; the 202 background execute; the mapping of every result and execution state; the
Error body, 5xx and timeouts as KycError; retries only where nothing can happen twice."""

import datetime as dt
import json

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from integrations.kyc.live import FrankieOneKyc, outcome_of
from integrations.kyc.types import KycCheckRef, KycError, KycOutcome, KycPerson
from tests.integrations.kyc import frankieone_bodies as bodies


@pytest.fixture(autouse=True)
def _frankieone(settings):
    settings.FRANKIEONE_BASE_URL = bodies.BASE_URL
    settings.FRANKIEONE_API_KEY = bodies.API_KEY
    settings.FRANKIEONE_CUSTOMER_ID = bodies.CUSTOMER_ID
    settings.FRANKIEONE_CUSTOMER_CHILD_ID = ""
    settings.FRANKIEONE_SERVICE_NAME = bodies.SERVICE
    settings.FRANKIEONE_WORKFLOW_NAME = bodies.WORKFLOW
    settings.FRANKIEONE_MAX_RETRIES = 2
    settings.FRANKIEONE_RETRY_BACKOFF_SECONDS = 0.5


@pytest.fixture
def pauses():
    return []


@pytest.fixture
def kyc(pauses):
    return FrankieOneKyc(sleep=pauses.append)


@pytest.fixture
def mock():
    # Ordered: each registered answer is used once, in turn (retries see the next one).
    with responses.RequestsMock(
        assert_all_requests_are_fired=True, registry=responses.registries.OrderedRegistry
    ) as rsps:
        yield rsps


PERSON = KycPerson(
    given_name="Priya",
    family_name="Patel",
    date_of_birth=dt.date(1980, 1, 2),
    country="GB",
    document_number="P1234567",
    user_reference="7",
    document_type="PASSPORT",
)
REF = KycCheckRef(
    reference="aeyia-case-1", check_id=bodies.EXECUTION_ID, entity_id=bodies.ENTITY_ID
)


def test_start_check_creates_the_individual_then_executes_in_the_background(kyc, mock):
    mock.post(f"{bodies.BASE_URL}/v2/individuals", json=bodies.created(), status=201)
    mock.post(f"{bodies.workflow_path()}/execute", json=bodies.accepted(), status=202)

    check = kyc.start_check(reference="aeyia-case-1", person=PERSON)

    assert check.check_id == bodies.EXECUTION_ID
    assert check.entity_id == bodies.ENTITY_ID
    assert check.request_id == "01HN9XK1RQ2ST3UV4WX5YZ6AB7"
    assert check.status == "pending"
    create, execute = (call.request for call in mock.calls)
    for request in (create, execute):
        assert request.headers["api_key"] == bodies.API_KEY
        assert request.headers["X-Frankie-CustomerID"] == bodies.CUSTOMER_ID
        assert request.headers["X-Frankie-Channel"] == "api"
        assert "X-Frankie-CustomerChildID" not in request.headers
    assert create.method == "POST" and "X-Frankie-Background" not in create.headers
    assert execute.method == "POST" and execute.headers["X-Frankie-Background"] == "1"
    sent = json.loads(create.body)["individual"]
    assert sent["name"] == {"givenName": "Priya", "familyName": "Patel"}
    assert sent["dateOfBirth"] == {"year": "1980", "month": "01", "day": "02"}
    assert sent["addresses"] == [{"type": "RESIDENTIAL", "country": "GBR"}]
    assert sent["documents"] == {
        "IDENTITY": [{"type": "PASSPORT", "country": "GBR", "primaryIdentifier": "P1234567"}]
    }
    references = {item["name"]: item["value"] for item in sent["externalReferences"]}
    assert references == {"aeyia_user_id": "7", "aeyia_verification_case": "aeyia-case-1"}
    # The execute body names our case, never the person.
    assert "Patel" not in execute.body.decode() and "P1234567" not in execute.body.decode()


def test_the_child_account_header_is_sent_when_configured(settings, mock):
    settings.FRANKIEONE_CUSTOMER_CHILD_ID = bodies.CHILD_ID
    mock.post(f"{bodies.BASE_URL}/v2/individuals", json=bodies.created(), status=201)
    mock.post(f"{bodies.workflow_path()}/execute", json=bodies.accepted(), status=202)

    FrankieOneKyc().start_check(reference="aeyia-case-1", person=PERSON)

    assert {call.request.headers["X-Frankie-CustomerChildID"] for call in mock.calls} == {
        bodies.CHILD_ID
    }


def test_a_stored_entity_id_is_reused_and_no_second_individual_is_created(kyc, mock):
    mock.post(f"{bodies.workflow_path()}/execute", json=bodies.accepted("exec-2"), status=202)

    check = kyc.start_check(reference="aeyia-case-2", person=PERSON, entity_id=bodies.ENTITY_ID)

    assert [call.request.url for call in mock.calls] == [f"{bodies.workflow_path()}/execute"]
    assert (check.entity_id, check.check_id) == (bodies.ENTITY_ID, "exec-2")


def test_a_failed_execute_hands_back_the_created_entity_id(kyc, mock):
    mock.post(f"{bodies.BASE_URL}/v2/individuals", json=bodies.created(), status=201)
    mock.post(
        f"{bodies.workflow_path()}/execute",
        json=bodies.error("SYS-1063,", "Failed"),
        status=503,
    )

    with pytest.raises(KycError) as error:
        kyc.start_check(reference="aeyia-case-1", person=PERSON)

    assert error.value.entity_id == bodies.ENTITY_ID
    assert error.value.retryable
    assert len(mock.calls) == 2  # a POST answered 503 is not repeated


def test_a_401_error_body_becomes_a_clear_kyc_error_without_secrets(kyc, mock, caplog):
    mock.post(
        f"{bodies.BASE_URL}/v2/individuals",
        json=bodies.error("AUTH-0002,", "Unauthorized"),
        status=401,
    )

    with pytest.raises(KycError) as error:
        kyc.start_check(reference="aeyia-case-1", person=PERSON)

    message = str(error.value)
    assert "refused our credentials" in message
    assert "401" in message and "AUTH-0002" in message and "00000000S6MNG7624K2TDXT1E3" in message
    assert not error.value.retryable
    logged = message + caplog.text
    for secret_or_personal in (bodies.API_KEY, bodies.CUSTOMER_ID, "Patel", "P1234567", "1980"):
        assert secret_or_personal not in logged
    assert len(mock.calls) == 1


def test_a_500_on_create_is_not_repeated(kyc, mock, pauses):
    mock.post(
        f"{bodies.BASE_URL}/v2/individuals",
        json={"errorCode": "SYS-1063,", "errorMsg": "x", "requestId": "01HM5EM2QNNSC9K0PX9VC06HX3"},
        status=500,
    )

    with pytest.raises(KycError, match="server error") as error:
        kyc.start_check(reference="aeyia-case-1", person=PERSON)

    assert error.value.retryable and len(mock.calls) == 1 and pauses == []


def test_a_post_whose_connection_never_opened_is_retried(kyc, mock, pauses):
    refused = requests.ConnectionError(
        MaxRetryError(None, "/v2/individuals", NewConnectionError(None, "refused"))
    )
    mock.post(f"{bodies.BASE_URL}/v2/individuals", body=refused)
    mock.post(f"{bodies.BASE_URL}/v2/individuals", body=requests.ConnectTimeout("connect"))
    mock.post(f"{bodies.BASE_URL}/v2/individuals", json=bodies.created(), status=201)
    mock.post(f"{bodies.workflow_path()}/execute", json=bodies.accepted(), status=202)

    check = kyc.start_check(reference="aeyia-case-1", person=PERSON)

    assert check.entity_id == bodies.ENTITY_ID
    assert len(mock.calls) == 4
    assert pauses == [0.5, 1.0]


def test_a_post_that_may_have_been_sent_is_never_repeated(kyc, mock, pauses):
    mock.post(f"{bodies.BASE_URL}/v2/individuals", body=requests.ReadTimeout("read"))

    with pytest.raises(KycError, match="timed out") as error:
        kyc.start_check(reference="aeyia-case-1", person=PERSON)

    assert error.value.retryable and len(mock.calls) == 1 and pauses == []


def test_retries_are_bounded(kyc, mock, pauses):
    url = f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}"
    for _ in range(3):
        mock.get(url, body=requests.ConnectTimeout("connect"))

    with pytest.raises(KycError, match="could not be reached"):
        kyc.fetch_result(check=REF)

    assert len(mock.calls) == 3 and pauses == [0.5, 1.0]


def test_a_get_is_retried_on_timeouts_and_503_then_succeeds(kyc, mock):
    url = f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}"
    mock.get(url, body=requests.ReadTimeout("read"))
    mock.get(url, json=bodies.error("SYS-0503", "Unavailable"), status=503)
    mock.get(url, json=bodies.execution("PASS"), status=200)

    result = kyc.fetch_result(check=REF)

    assert result is not None and result.outcome == KycOutcome.PASSED
    request = mock.calls[0].request
    assert request.method == "GET"
    assert request.headers["api_key"] == bodies.API_KEY
    assert request.headers["X-Frankie-CustomerID"] == bodies.CUSTOMER_ID
    assert "X-Frankie-Background" not in request.headers


@pytest.mark.parametrize(
    ("result", "outcome", "reasons"),
    [
        ("PASS", KycOutcome.PASSED, ()),
        ("FAIL", KycOutcome.FAILED, ("result_fail", "issue_bad_data_id")),
        ("REVIEW", KycOutcome.NEEDS_REVIEW, ("result_review", "issue_bad_data_id")),
    ],
)
def test_fetch_result_maps_pass_fail_and_review(kyc, mock, result, outcome, reasons):
    issues = [
        {"category": "KYC", "issue": "BAD_DATA_ID", "severity": "ERROR"},
        {"category": "AML", "issue": "PEP", "severity": "WARNING", "isCleared": True},
    ]
    mock.get(
        f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}",
        json=bodies.execution(result, issues=issues),
    )

    fetched = kyc.fetch_result(check=REF)

    assert fetched is not None
    assert fetched.outcome == outcome
    assert fetched.reasons == reasons
    assert fetched.check_id == bodies.EXECUTION_ID
    assert fetched.reference == "aeyia-case-1"
    assert fetched.occurred_at == dt.datetime(2026, 12, 7, 10, 1, 30, tzinfo=dt.UTC)


def test_a_running_execution_gives_no_result(kyc, mock):
    mock.get(
        f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}",
        json=bodies.execution("IN_PROGRESS", "IN_PROGRESS"),
    )

    assert kyc.fetch_result(check=REF) is None


def test_a_reviewers_override_wins_and_orders_later(kyc, mock):
    mock.get(
        f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}",
        json=bodies.execution("REVIEW", status="APPROVED", statusOverrideAt="2026-12-08T09:00:00Z"),
    )

    fetched = kyc.fetch_result(check=REF)

    assert fetched is not None and fetched.outcome == KycOutcome.PASSED
    assert fetched.occurred_at == dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def test_an_answer_for_another_execution_is_refused(kyc, mock):
    mock.get(
        f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}",
        json=bodies.execution("PASS", execution_id="someone-else"),
    )

    with pytest.raises(KycError, match="another workflow execution"):
        kyc.fetch_result(check=REF)


def test_a_401_on_fetch_is_a_kyc_error_and_not_retried(kyc, mock):
    mock.get(
        f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}",
        json=bodies.error("AUTH-0401", "Unauthorized"),
        status=401,
    )

    with pytest.raises(KycError, match="refused our credentials"):
        kyc.fetch_result(check=REF)

    assert len(mock.calls) == 1


def test_a_body_that_is_not_json_is_a_kyc_error(kyc, mock):
    mock.get(
        f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}",
        body="<html>gateway</html>",
        status=200,
    )

    with pytest.raises(KycError, match="not JSON"):
        kyc.fetch_result(check=REF)


EXPECTED_RESULT = {
    "UNCHECKED": KycOutcome.NEEDS_REVIEW,  # completed without a result: it never gets one
    "IN_PROGRESS": KycOutcome.NEEDS_REVIEW,
    "REVIEW": KycOutcome.NEEDS_REVIEW,
    "PASS": KycOutcome.PASSED,
    "FAIL": KycOutcome.FAILED,
    "COMPLETE": KycOutcome.NEEDS_REVIEW,
    "INCOMPLETE": KycOutcome.NEEDS_REVIEW,
    "NEEDS_APPROVAL": KycOutcome.NEEDS_REVIEW,
    "APPROVED": KycOutcome.PASSED,
    "REJECTED": KycOutcome.FAILED,
    "BLOCKED": KycOutcome.NEEDS_REVIEW,
    "CLEAR": KycOutcome.PASSED,
    "URGENT": KycOutcome.NEEDS_REVIEW,
    "MONITOR": KycOutcome.NEEDS_REVIEW,
}


def test_every_documented_result_value_is_mapped():
    assert set(EXPECTED_RESULT) == set(bodies.RESULT_VALUES)


@pytest.mark.parametrize("value", bodies.RESULT_VALUES)
def test_each_result_value_of_a_completed_execution(value):
    assert outcome_of(bodies.workflow_result(value)).outcome == EXPECTED_RESULT[value]


@pytest.mark.parametrize("value", bodies.RESULT_VALUES)
def test_each_value_in_status_wins_over_result(value):
    mapped = outcome_of(bodies.workflow_result("FAIL", status=value))
    assert mapped.outcome == EXPECTED_RESULT[value]


@pytest.mark.parametrize(
    ("state", "outcome"),
    [
        ("COMPLETED", KycOutcome.PASSED),
        ("CANCELED", KycOutcome.NEEDS_REVIEW),
        ("TERMINATED", KycOutcome.NEEDS_REVIEW),
        ("ERROR", KycOutcome.NEEDS_REVIEW),
        ("TIMEOUT", KycOutcome.NEEDS_REVIEW),
        ("IN_PROGRESS", None),
    ],
)
def test_each_execution_state(state, outcome):
    # The result says PASS: only a completed execution may pass on it.
    assert outcome_of(bodies.workflow_result("PASS", state)).outcome == outcome


def test_every_documented_state_is_covered():
    assert set(bodies.STATE_VALUES) == {
        "COMPLETED",
        "CANCELED",
        "TERMINATED",
        "ERROR",
        "TIMEOUT",
        "IN_PROGRESS",
    }


@pytest.mark.parametrize(
    "workflow_result",
    [
        bodies.workflow_result("SUPER_PASS"),
        bodies.workflow_result("PASS", "PAUSED"),
        bodies.workflow_result("PASS", "completed; drop table"),
        {**bodies.workflow_result(), "result": 42, "workflowExecutionState": None},
        {},
    ],
    ids=["unknown result", "unknown state", "not a code", "wrong types", "empty"],
)
def test_anything_unknown_needs_review_and_never_crashes(workflow_result):
    mapped = outcome_of(workflow_result)

    assert mapped.outcome == KycOutcome.NEEDS_REVIEW
    assert all(reason.replace("_", "").isalnum() for reason in mapped.reasons)


def test_an_unknown_result_read_from_the_api_needs_review(kyc, mock):
    mock.get(
        f"{bodies.workflow_path()}/executions/{bodies.EXECUTION_ID}",
        json=bodies.execution("SOMETHING_NEW"),
    )

    fetched = kyc.fetch_result(check=REF)

    assert fetched is not None
    assert fetched.outcome == KycOutcome.NEEDS_REVIEW
    assert fetched.reasons == ("unknown_result_something_new",)


def test_missing_settings_are_named(settings):
    settings.FRANKIEONE_API_KEY = ""
    settings.FRANKIEONE_WORKFLOW_NAME = ""

    with pytest.raises(KycError, match="FRANKIEONE_API_KEY, FRANKIEONE_WORKFLOW_NAME"):
        FrankieOneKyc()


def test_bad_input_is_refused_before_any_request(kyc, mock):
    for person in (
        KycPerson(**{**PERSON.__dict__, "country": "XX"}),
        KycPerson(**{**PERSON.__dict__, "user_reference": ""}),
        KycPerson(**{**PERSON.__dict__, "document_number": " "}),
    ):
        with pytest.raises(KycError):
            kyc.start_check(reference="aeyia-case-1", person=person)
    assert len(mock.calls) == 0
