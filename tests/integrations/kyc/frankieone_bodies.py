"""FrankieOne KYC V2 request and response bodies, built here from the field lists of the
KYC V2 spec 2.0.1 (see tests/vendor_data/frankieone/README.md); nothing is copied from
the vendor's files."""

from __future__ import annotations

from typing import Any

BASE_URL = "https://api.uat.frankie.one"
API_KEY = "test-frankie-api-key-0123456789"
CUSTOMER_ID = "12345678-1234-1234-1234-123456789012"
CHILD_ID = "87654321-4321-4321-4321-210987654321"
SERVICE = "aeyia_practitioners"
WORKFLOW = "AUS-Basic3V-TwoPlus"
ENTITY_ID = "3f6f1c4e-1b3f-4c1e-9a57-0c5e3b8e2a11"
EXECUTION_ID = "01HN9XJ0K2ZP3M4Q5R6S7T8V9W"
REQUEST_ID = "01HN9XHZN6MGXM9JXG50K59Q85"

RESULT_VALUES = (
    "UNCHECKED",
    "IN_PROGRESS",
    "REVIEW",
    "PASS",
    "FAIL",
    "COMPLETE",
    "INCOMPLETE",
    "NEEDS_APPROVAL",
    "APPROVED",
    "REJECTED",
    "BLOCKED",
    "CLEAR",
    "URGENT",
    "MONITOR",
)
STATE_VALUES = ("COMPLETED", "CANCELED", "TERMINATED", "ERROR", "TIMEOUT", "IN_PROGRESS")


def workflow_path(entity_id: str = ENTITY_ID) -> str:
    return f"{BASE_URL}/v2/individuals/{entity_id}/serviceprofiles/{SERVICE}/workflows/{WORKFLOW}"


def individual(entity_id: str = ENTITY_ID) -> dict[str, Any]:
    return {
        "entityId": entity_id,
        "entityType": "INDIVIDUAL",
        "schemaVersion": 2,
        "createdAt": "2026-12-07T10:00:00.000Z",
        "name": {"nameId": "n-1", "givenName": "Priya", "familyName": "Patel"},
        "dateOfBirth": {"dateOfBirthId": "d-1", "year": "1980", "month": "01", "day": "01"},
        "externalReferences": [{"referenceId": "r-1", "name": "aeyia_user_id", "value": "7"}],
    }


def created(entity_id: str = ENTITY_ID) -> dict[str, Any]:
    """201 individuals_entity_response."""
    return {"individual": individual(entity_id), "serviceProfiles": [], "requestId": REQUEST_ID}


def accepted(execution_id: str = EXECUTION_ID) -> dict[str, Any]:
    """202 from execute with X-Frankie-Background: 1."""
    return {"requestId": "01HN9XK1RQ2ST3UV4WX5YZ6AB7", "workflowExecutionId": execution_id}


def workflow_result(
    result: str = "PASS",
    state: str = "COMPLETED",
    *,
    status: str | None = None,
    execution_id: str = EXECUTION_ID,
    issues: list[dict[str, Any]] | None = None,
    ended_at: str = "2026-12-07T10:01:30.000Z",
    **extra: Any,
) -> dict[str, Any]:
    """A Workflow-Result with every required field."""
    body = {
        "workflowExecutionId": execution_id,
        "workflowId": "wf-1",
        "requestId": "01HN9XK1RQ2ST3UV4WX5YZ6AB7",
        "entityId": ENTITY_ID,
        "entityType": "INDIVIDUAL",
        "schemaVersion": 2,
        "startedAt": "2026-12-07T10:01:00.000Z",
        "endedAt": ended_at,
        "serviceProfileId": "sp-1",
        "workflowName": WORKFLOW,
        "result": result,
        "workflowExecutionState": state,
        "createdAt": "2026-12-07T10:01:00.000Z",
        "issues": issues or [],
        "errors": [],
        **extra,
    }
    if status is not None:
        body["status"] = status
    return body


def execution(result: str = "PASS", state: str = "COMPLETED", **kwargs: Any) -> dict[str, Any]:
    """200 from GET .../executions/{workflowExecutionId}."""
    return {
        "requestId": "01HN9XM2AB3CD4EF5GH6IJ7KL8",
        "workflowResult": workflow_result(result, state, **kwargs),
        "individual": individual(),
    }


def error(code: str, message: str, request_id: str = "00000000S6MNG7624K2TDXT1E3") -> dict:
    """An Error body; the spec's examples end some codes with a stray comma."""
    return {
        "errorCode": code,
        "errorMsg": message,
        "details": [
            {"issue": "Invalid Authentication provided. Access denied.", "issueLocation": "request"}
        ],
        "requestId": request_id,
    }


def notification(
    *,
    entity_id: str = ENTITY_ID,
    request_id: str = "01HN9XK1RQ2ST3UV4WX5YZ6AB7",
    function: str = "WorkflowComplete",
    function_result: str = "SUCCESS",
) -> dict[str, Any]:
    """A V2 notification body (fields from FrankieOne's webhook documentation)."""
    return {
        "entityId": entity_id,
        "function": function,
        "functionResult": function_result,
        "notificationType": "EVENT",
        "message": "Workflow execution completed",
        "requestId": request_id,
        "version": "2.0",
    }
