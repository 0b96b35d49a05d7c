"""The live KYC adapter: FrankieOne's KYC V2 API over `requests` (FrankieOne publishes no
server-side Python SDK). This is the only module that talks to FrankieOne.

Starting a check (`start_check`):
1. `POST /v2/individuals` creates the person (name, date of birth, address country, the
   identity document, our user id in `externalReferences`) and answers 201 with its
   `entityId`. Skipped when the caller passes the `entity_id` it stored from an earlier
   check of the same person: FrankieOne takes no idempotency key, so what stops a second
   person being created is our own row.
2. `POST /v2/individuals/{entityId}/serviceprofiles/{service}/workflows/{workflow}/execute`
   with `X-Frankie-Background: 1` answers 202 with `requestId` and `workflowExecutionId`.
   FrankieOne notifies us when the workflow is done; the notification is only a hint.
Reading a result (`fetch_result`): `GET .../workflows/{workflow}/executions/{id}`, whose
`workflowResult` is mapped onto our outcomes (`outcome_of`); still running gives None.

Transport: every request has explicit connect and read timeouts. Retries are bounded
(FRANKIEONE_MAX_RETRIES) and only where repeating cannot do anything twice: a GET is
retried on connection failures, timeouts, 429 and 502/503/504; a POST only when the
connection failed before the request was sent (connect timeout, refused, DNS). A POST that
may have reached FrankieOne is never repeated. Every failure becomes `KycError`, whose
message names the operation, the HTTP status, FrankieOne's error code and request id, and
never the API key or anything about the person (FrankieOne's `details` can echo input, so
they are not used).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django_countries import countries
from urllib3.exceptions import NewConnectionError

from integrations.kyc.types import KycCheck, KycCheckRef, KycError, KycOutcome, KycPerson, KycResult

logger = logging.getLogger(__name__)

# What FrankieOne calls the external reference holding our user id.
USER_REFERENCE_NAME = "aeyia_user_id"
CASE_REFERENCE_NAME = "aeyia_verification_case"
CHANNEL = "api"
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# Vendor codes and enum values we repeat in messages and reasons: never free text.
_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")

# workflowExecutionState: IN_PROGRESS is still running; COMPLETED carries a result; the
# others ended without one, which a person must look at.
RUNNING_STATES = frozenset({"IN_PROGRESS"})
ENDED_WITHOUT_RESULT_STATES = frozenset({"CANCELED", "TERMINATED", "ERROR", "TIMEOUT"})
KNOWN_STATES = RUNNING_STATES | ENDED_WITHOUT_RESULT_STATES | {"COMPLETED"}

# result / status (Workflow-Execution-ResultEnum) → our outcome; None: not finished.
RESULT_OUTCOMES: Mapping[str, KycOutcome | None] = {
    "UNCHECKED": None,
    "IN_PROGRESS": None,
    "PASS": KycOutcome.PASSED,
    "APPROVED": KycOutcome.PASSED,  # approved by a reviewer at FrankieOne
    "CLEAR": KycOutcome.PASSED,  # completed with no issue raised
    "FAIL": KycOutcome.FAILED,
    "REJECTED": KycOutcome.FAILED,  # rejected by a reviewer at FrankieOne
    # Finished, but not a clear pass or fail: our staff decide.
    "REVIEW": KycOutcome.NEEDS_REVIEW,
    "COMPLETE": KycOutcome.NEEDS_REVIEW,
    "INCOMPLETE": KycOutcome.NEEDS_REVIEW,
    "NEEDS_APPROVAL": KycOutcome.NEEDS_REVIEW,
    "BLOCKED": KycOutcome.NEEDS_REVIEW,
    "URGENT": KycOutcome.NEEDS_REVIEW,
    "MONITOR": KycOutcome.NEEDS_REVIEW,
}


@dataclass(frozen=True)
class Outcome:
    """A workflow result read from FrankieOne: `outcome` None while it is running."""

    outcome: KycOutcome | None
    reasons: tuple[str, ...] = ()


def _code(value: Any, fallback: str = "unknown") -> str:
    """A vendor code or enum value as we repeat it: letters, digits, '_' and '-' only
    (the spec's own examples end error codes with a stray comma)."""
    text = str(value or "").strip().rstrip(",").strip()
    return text if _CODE.fullmatch(text) else fallback


def outcome_of(workflow_result: Mapping[str, Any]) -> Outcome:
    """Maps a `Workflow-Result` onto our outcome. `status` (which carries a reviewer's
    override at FrankieOne) wins over `result`. Still running → no outcome. Ended without
    a result (canceled, terminated, error, timeout), or any value we do not know →
    needs review, never an exception."""
    state_raw = workflow_result.get("workflowExecutionState")
    state = _code(state_raw, "") if isinstance(state_raw, str) else ""
    value_raw = workflow_result.get("status") or workflow_result.get("result")
    value = _code(value_raw, "") if isinstance(value_raw, str) else ""
    issues = tuple(_issue_reasons(workflow_result.get("issues")))

    if state in RUNNING_STATES:
        return Outcome(None)
    if state in ENDED_WITHOUT_RESULT_STATES:
        return Outcome(KycOutcome.NEEDS_REVIEW, (f"workflow_{state.lower()}", *issues))
    if state not in KNOWN_STATES:
        return Outcome(
            KycOutcome.NEEDS_REVIEW, (f"unknown_execution_state_{state.lower() or 'missing'}",)
        )
    # COMPLETED: the result (or a reviewer's status) decides.
    if value not in RESULT_OUTCOMES:
        return Outcome(KycOutcome.NEEDS_REVIEW, (f"unknown_result_{value.lower() or 'missing'}",))
    outcome = RESULT_OUTCOMES[value]
    if outcome is None:
        # The execution says it is complete but has no result: it will not get one.
        return Outcome(KycOutcome.NEEDS_REVIEW, (f"result_{value.lower()}", *issues))
    if outcome == KycOutcome.PASSED:
        return Outcome(outcome, ())
    return Outcome(outcome, (f"result_{value.lower()}", *issues))


def _issue_reasons(issues: Any) -> list[str]:
    """FrankieOne's issue types (SANCTION, BAD_DATA_DOB, ...) as reason codes, in order,
    once each; cleared issues and anything malformed are left out."""
    reasons: list[str] = []
    if not isinstance(issues, list):
        return reasons
    for issue in issues:
        if not isinstance(issue, dict) or issue.get("isCleared") is True:
            continue
        code = _code(issue.get("issue"), "")
        if code and f"issue_{code.lower()}" not in reasons:
            reasons.append(f"issue_{code.lower()}")
    return reasons[:20]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _result_time(workflow_result: Mapping[str, Any]) -> datetime | None:
    """When FrankieOne last changed the result: the latest of its timestamps, so a
    reviewer's later override orders after the workflow's own answer."""
    times = [
        parsed
        for name in ("statusOverrideAt", "updatedAt", "endedAt", "createdAt", "startedAt")
        if (parsed := _parse_time(workflow_result.get(name))) is not None
    ]
    return max(times) if times else None


def individual_body(*, person: KycPerson, reference: str) -> dict[str, Any]:
    """The `individuals_create` body for one person."""
    country = countries.alpha3(person.country.strip().upper()) if person.country else ""
    if not country:
        raise KycError("The country must be an ISO 3166-1 alpha-2 code FrankieOne knows.")
    if not person.user_reference:
        raise KycError("A user reference is required for FrankieOne's external reference.")
    if not (person.family_name.strip() and person.document_number.strip()):
        raise KycError("A family name and a document number are required.")
    birth = person.date_of_birth
    return {
        "individual": {
            "entityType": "INDIVIDUAL",
            "name": {
                "givenName": person.given_name.strip(),
                "familyName": person.family_name.strip(),
            },
            "dateOfBirth": {
                "year": f"{birth.year:04d}",
                "month": f"{birth.month:02d}",
                "day": f"{birth.day:02d}",
            },
            "addresses": [{"type": "RESIDENTIAL", "country": country}],
            "documents": {
                "IDENTITY": [
                    {
                        "type": person.document_type or "PASSPORT",
                        "country": country,
                        "primaryIdentifier": person.document_number.strip(),
                    }
                ]
            },
            "externalReferences": [
                {"name": USER_REFERENCE_NAME, "value": person.user_reference, "type": "CUSTOMER"},
                {"name": CASE_REFERENCE_NAME, "value": reference, "type": "CUSTOMER"},
            ],
        }
    }


def _sent_nothing(error: requests.RequestException) -> bool:
    """True when the request cannot have reached FrankieOne: the connection was never
    made (connect timeout, refused, name resolution)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.ConnectionError):
        seen: set[int] = set()
        pending: list[BaseException | None] = [error]
        while pending:
            current = pending.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, NewConnectionError | ConnectionRefusedError):
                return True
            pending.extend(
                [current.__cause__, current.__context__, getattr(current, "reason", None)]
            )
            pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return False


class FrankieOneKyc:
    """KycGateway over FrankieOne KYC V2, configured from the FRANKIEONE_* settings.
    `session` and `sleep` are for tests (a `responses`-mocked session, no real pauses)."""

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        missing = [
            name
            for name in (
                "FRANKIEONE_BASE_URL",
                "FRANKIEONE_API_KEY",
                "FRANKIEONE_CUSTOMER_ID",
                "FRANKIEONE_SERVICE_NAME",
                "FRANKIEONE_WORKFLOW_NAME",
            )
            if not getattr(settings, name, "")
        ]
        if missing:
            raise KycError(f"FrankieOne is not configured: set {', '.join(missing)}.")
        self._base_url = settings.FRANKIEONE_BASE_URL.rstrip("/")
        self._service = settings.FRANKIEONE_SERVICE_NAME
        self._workflow = settings.FRANKIEONE_WORKFLOW_NAME
        self._timeout = (
            float(settings.FRANKIEONE_CONNECT_TIMEOUT_SECONDS),
            float(settings.FRANKIEONE_READ_TIMEOUT_SECONDS),
        )
        self._max_retries = max(0, int(settings.FRANKIEONE_MAX_RETRIES))
        self._backoff = max(0.0, float(settings.FRANKIEONE_RETRY_BACKOFF_SECONDS))
        self._sleep = sleep
        self._session = session or requests.Session()
        self._headers = {
            "api_key": settings.FRANKIEONE_API_KEY,
            "X-Frankie-CustomerID": settings.FRANKIEONE_CUSTOMER_ID,
            "X-Frankie-Channel": CHANNEL,
            "Accept": "application/json",
        }
        if settings.FRANKIEONE_CUSTOMER_CHILD_ID:
            self._headers["X-Frankie-CustomerChildID"] = settings.FRANKIEONE_CUSTOMER_CHILD_ID

    # The operations -------------------------------------------------------------------

    def start_check(self, *, reference: str, person: KycPerson, entity_id: str = "") -> KycCheck:
        if not reference:
            raise KycError("A reference is required.")
        if not entity_id:
            created = self._request(
                "POST",
                "/v2/individuals",
                operation="create the individual",
                body=individual_body(person=person, reference=reference),
                expect=(200, 201),
            )
            entity_id = _string((created.get("individual") or {}).get("entityId"))
            if not entity_id:
                raise KycError("FrankieOne created the individual but sent no entityId.")
        try:
            started = self._request(
                "POST",
                f"{self._workflow_path(entity_id)}/execute",
                operation="execute the workflow",
                body={"comment": {"text": f"Aeyia practitioner verification {reference}"}},
                headers={"X-Frankie-Background": "1"},
                expect=(202,),
            )
        except KycError as error:
            raise KycError(str(error), entity_id=entity_id, retryable=error.retryable) from error
        execution_id = _string(started.get("workflowExecutionId"))
        if not execution_id:
            raise KycError(
                "FrankieOne accepted the workflow but sent no workflowExecutionId.",
                entity_id=entity_id,
            )
        return KycCheck(
            check_id=execution_id,
            status="pending",
            entity_id=entity_id,
            request_id=_string(started.get("requestId")),
        )

    def fetch_result(self, *, check: KycCheckRef) -> KycResult | None:
        if not (check.entity_id and check.check_id):
            raise KycError("This check has no FrankieOne entity or execution id.")
        answer = self._request(
            "GET",
            f"{self._workflow_path(check.entity_id)}/executions/{quote(check.check_id, safe='')}",
            operation="read the workflow result",
            expect=(200,),
        )
        workflow_result = answer.get("workflowResult")
        if not isinstance(workflow_result, dict):
            raise KycError("FrankieOne's execution answer has no workflowResult.")
        execution_id = _string(workflow_result.get("workflowExecutionId")) or check.check_id
        if execution_id != check.check_id:
            raise KycError("FrankieOne answered with another workflow execution.")
        mapped = outcome_of(workflow_result)
        if mapped.outcome is None:
            return None
        occurred_at = _result_time(workflow_result)
        if occurred_at is None:
            raise KycError("FrankieOne's workflow result carries no readable time.")
        value = _code(workflow_result.get("status") or workflow_result.get("result"))
        return KycResult(
            event_id=f"frankieone:{execution_id}:{value}:{occurred_at.isoformat()}"[:255],
            check_id=execution_id,
            reference=check.reference,
            outcome=mapped.outcome,
            occurred_at=occurred_at,
            reasons=mapped.reasons,
        )

    # Transport ------------------------------------------------------------------------

    def _workflow_path(self, entity_id: str) -> str:
        return (
            f"/v2/individuals/{quote(entity_id, safe='')}"
            f"/serviceprofiles/{quote(self._service, safe='')}"
            f"/workflows/{quote(self._workflow, safe='')}"
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        expect: tuple[int, ...],
        body: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            attempt += 1
            retries_left = attempt <= self._max_retries
            try:
                response = self._session.request(
                    method,
                    self._base_url + path,
                    json=body,
                    headers={**self._headers, **(headers or {})},
                    timeout=self._timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as error:
                safe_to_repeat = method == "GET" or _sent_nothing(error)
                if safe_to_repeat and retries_left:
                    self._pause(attempt)
                    continue
                kind = "timed out" if isinstance(error, requests.Timeout) else "could not connect"
                logger.warning(
                    "frankieone request failed",
                    extra={"operation": operation, "error": type(error).__name__},
                )
                raise KycError(
                    f"FrankieOne could not be reached to {operation} ({kind}).", retryable=True
                ) from error
            if response.status_code in expect:
                return _json_object(response, operation)
            if method == "GET" and response.status_code in RETRYABLE_STATUSES and retries_left:
                self._pause(attempt)
                continue
            raise _error_from(response, operation)

    def _pause(self, attempt: int) -> None:
        if self._backoff:
            self._sleep(self._backoff * attempt)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _json_object(response: requests.Response, operation: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as error:
        raise KycError(f"FrankieOne's answer to {operation} is not JSON.") from error
    if not isinstance(data, dict):
        raise KycError(f"FrankieOne's answer to {operation} is not a JSON object.")
    return data


def _error_from(response: requests.Response, operation: str) -> KycError:
    """An `Error` body ({errorCode, errorMsg, details, requestId}) as a KycError naming
    the status, code and request id only."""
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    code = _code(data.get("errorCode"), "")
    request_id = _code(data.get("requestId"), "")
    label = ", ".join(
        part for part in (str(status), code, f"request {request_id}" if request_id else "") if part
    )
    if status in (401, 403):
        meaning = "refused our credentials (check FRANKIEONE_API_KEY and FRANKIEONE_CUSTOMER_ID)"
    elif status == 404:
        meaning = "does not know the individual, service profile or workflow"
    elif status == 429:
        meaning = "is rate-limiting us"
    elif status >= 500:
        meaning = "had a server error"
    else:
        meaning = "rejected the request as invalid"
    logger.warning(
        "frankieone answered an error",
        extra={
            "operation": operation,
            "status": status,
            "error_code": code,
            "vendor_request": request_id,
        },
    )
    return KycError(
        f"FrankieOne {meaning} when asked to {operation} ({label}).",
        retryable=status == 429 or status >= 500,
    )
