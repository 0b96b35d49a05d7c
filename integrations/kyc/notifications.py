"""FrankieOne's notifications (webhooks). They are not signed: one is only a hint that
something about a person changed at FrankieOne. We keep the fields that identify it and
nothing else, and read the result from the API before changing anything (decision 0026).

A V2 body carries `entityId`, `function` (WorkflowComplete, EntityStatusChanged, ...),
`functionResult`, `notificationType`, `message` and `requestId` (FrankieOne also appends
the requestId to our URL). `parse_notification` raises ValueError for anything else, which
the view answers with 400 (FrankieOne stops retrying on a 400)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# Ids and enum-like values: FrankieOne's entity ids are UUIDs, request ids ULIDs.
_TOKEN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True)
class KycNotification:
    entity_id: str
    request_id: str
    function: str
    function_result: str = ""
    notification_type: str = ""

    @property
    def event_id(self) -> str:
        """What makes a delivery the same notification again: one request's function."""
        return f"frankieone:{self.request_id}:{self.function}"

    def to_json(self) -> str:
        """The stored hint: the identifying fields only (no message, no customer data)."""
        return json.dumps(
            {
                "entityId": self.entity_id,
                "requestId": self.request_id,
                "function": self.function,
                "functionResult": self.function_result,
                "notificationType": self.notification_type,
            },
            sort_keys=True,
        )


def _token(data: dict, name: str, *, required: bool, fallback: str = "") -> str:
    value = data.get(name)
    if value is None or value == "":
        if required and not fallback:
            raise ValueError(f"{name} is required")
        return fallback
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise ValueError(f"{name} is not a plain identifier")
    return value


def parse_notification(body: bytes, *, path_request_id: str = "") -> KycNotification:
    """The notification in `body`; `path_request_id` is the id FrankieOne appended to the
    URL, used when the body lacks one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError("the body is not JSON") from error
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    fallback = path_request_id if _TOKEN.fullmatch(path_request_id or "") else ""
    return KycNotification(
        entity_id=_token(data, "entityId", required=True),
        request_id=_token(data, "requestId", required=True, fallback=fallback),
        function=_token(data, "function", required=True),
        function_result=_token(data, "functionResult", required=False),
        notification_type=_token(data, "notificationType", required=False),
    )
