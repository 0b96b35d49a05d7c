"""What crosses the Typeform boundary: frozen dataclasses only, no vendor objects.

A response is read from either shape Typeform sends it in: the `form_response` object of
a webhook, or an item of the Responses API (`GET /forms/{form_id}/responses`). Answers are
matched to questions by `field.ref` (stable, settable in Typeform's builder) or
`field.id`, never by position; the value key follows the answer type."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any


class TypeformError(Exception):
    """Typeform refused a request or could not be reached. `retryable` says whether a
    later attempt may succeed (429, 5xx, network)."""

    def __init__(self, message: str, *, status: int = 0, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class WebhookSignatureError(Exception):
    """A webhook whose Typeform-Signature does not verify."""


class InvalidTypeformPayload(ValueError):
    """A signed body that is not a Typeform response."""


# Answer type → the key holding its value (Typeform's documented shapes).
VALUE_KEYS = {
    "text": "text",
    "email": "email",
    "phone_number": "phone_number",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "url": "url",
    "file_url": "file_url",
    "choice": "choice",
    "choices": "choices",
    "payment": "payment",
}


def _time(value: Any, *, name: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise InvalidTypeformPayload(f"{name} is missing")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidTypeformPayload(f"{name} is not a time: {value!r}") from error
    if parsed.tzinfo is None:
        raise InvalidTypeformPayload(f"{name} has no time zone")
    return parsed


def _readable(answer_type: str, raw: Any) -> Any:
    """The answer's value as plain JSON: a choice becomes its label, several choices a
    list of labels (an "other" text is kept)."""
    if answer_type == "choice" and isinstance(raw, Mapping):
        return raw.get("label") or raw.get("other") or ""
    if answer_type == "choices" and isinstance(raw, Mapping):
        labels = [str(label) for label in raw.get("labels") or []]
        if raw.get("other"):
            labels.append(str(raw["other"]))
        return labels
    if answer_type == "payment" and isinstance(raw, Mapping):
        return {key: raw.get(key) for key in ("amount", "last4", "name", "success")}
    return raw


@dataclass(frozen=True)
class TypeformAnswer:
    field_id: str
    field_ref: str
    field_type: str
    answer_type: str
    value: Any
    title: str = ""

    @property
    def key(self) -> str:
        return self.field_ref or self.field_id

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, titles: Mapping[str, str]) -> TypeformAnswer:
        if not isinstance(data, Mapping):
            raise InvalidTypeformPayload("an answer is not an object")
        field_data = data.get("field") or {}
        if not isinstance(field_data, Mapping):
            raise InvalidTypeformPayload("an answer's field is not an object")
        answer_type = str(data.get("type") or "")
        if answer_type not in VALUE_KEYS:
            raise InvalidTypeformPayload(f"unknown answer type {answer_type!r}")
        field_id = str(field_data.get("id") or "")
        field_ref = str(field_data.get("ref") or "")
        if not field_id and not field_ref:
            raise InvalidTypeformPayload("an answer names no field")
        return cls(
            field_id=field_id,
            field_ref=field_ref,
            field_type=str(field_data.get("type") or ""),
            answer_type=answer_type,
            value=_readable(answer_type, data.get(VALUE_KEYS[answer_type])),
            title=titles.get(field_ref) or titles.get(field_id) or "",
        )

    def as_answer(self) -> dict[str, Any]:
        """Back to Typeform's answer shape (a choice as its label, choices as labels)."""
        value: Any = self.value
        if self.answer_type == "choice":
            value = {"label": value}
        elif self.answer_type == "choices":
            value = {"labels": list(value or [])}
        return {
            "field": {"id": self.field_id, "type": self.field_type, "ref": self.field_ref},
            "type": self.answer_type,
            VALUE_KEYS[self.answer_type]: value,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "field_id": self.field_id,
            "field_ref": self.field_ref,
            "field_type": self.field_type,
            "answer_type": self.answer_type,
            "title": self.title,
            "value": self.value,
        }


@dataclass(frozen=True)
class TypeformResponse:
    """One submitted response. `token` identifies it (the Responses API also calls it
    `response_id`); `hidden` holds the hidden fields the form was opened with."""

    form_id: str
    token: str
    submitted_at: datetime
    landed_at: datetime | None = None
    hidden: Mapping[str, str] = field(default_factory=dict)
    answers: tuple[TypeformAnswer, ...] = ()
    event_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", MappingProxyType(dict(self.hidden)))

    @classmethod
    def from_form_response(
        cls, data: Mapping[str, Any], *, form_id: str = "", event_id: str = ""
    ) -> TypeformResponse:
        """From a webhook's `form_response` or a Responses API item."""
        if not isinstance(data, Mapping):
            raise InvalidTypeformPayload("form_response is not an object")
        token = str(data.get("token") or data.get("response_id") or "")
        if not token:
            raise InvalidTypeformPayload("the response has no token")
        definition = data.get("definition") or {}
        titles: dict[str, str] = {}
        if isinstance(definition, Mapping):
            for question in definition.get("fields") or []:
                if isinstance(question, Mapping):
                    title = str(question.get("title") or "")
                    for key in ("id", "ref"):
                        if question.get(key):
                            titles[str(question[key])] = title
        hidden = data.get("hidden") or {}
        if not isinstance(hidden, Mapping):
            raise InvalidTypeformPayload("hidden is not an object")
        answers = data.get("answers") or []
        if not isinstance(answers, list):
            raise InvalidTypeformPayload("answers is not a list")
        landed = data.get("landed_at")
        return cls(
            form_id=str(data.get("form_id") or form_id or ""),
            token=token,
            submitted_at=_time(data.get("submitted_at"), name="submitted_at"),
            landed_at=_time(landed, name="landed_at") if landed else None,
            hidden={str(key): str(value) for key, value in hidden.items() if value is not None},
            answers=tuple(TypeformAnswer.from_dict(item, titles=titles) for item in answers),
            event_id=event_id,
        )

    def as_webhook(self) -> bytes:
        """The webhook body Typeform would have sent for this response (how a response read
        from the Responses API joins the webhook intake); titles go in a definition."""
        stamp = "%Y-%m-%dT%H:%M:%SZ"
        form_response: dict[str, Any] = {
            "form_id": self.form_id,
            "token": self.token,
            "submitted_at": self.submitted_at.astimezone(UTC).strftime(stamp),
            "hidden": dict(self.hidden),
            "definition": {
                "id": self.form_id,
                "fields": [
                    {"id": a.field_id, "ref": a.field_ref, "type": a.field_type, "title": a.title}
                    for a in self.answers
                ],
            },
            "answers": [answer.as_answer() for answer in self.answers],
        }
        if self.landed_at is not None:
            form_response["landed_at"] = self.landed_at.astimezone(UTC).strftime(stamp)
        envelope = {
            "event_id": self.event_id,
            "event_type": "form_response",
            "form_response": form_response,
        }
        return json.dumps(envelope, separators=(",", ":")).encode()

    @classmethod
    def from_webhook(cls, payload: bytes) -> TypeformResponse:
        """From a verified webhook body: `{"event_id", "event_type", "form_response"}`.
        Raises InvalidTypeformPayload for anything else (a partial response included:
        only submitted responses are intake answers)."""
        try:
            envelope = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as error:
            raise InvalidTypeformPayload("the body is not JSON") from error
        if not isinstance(envelope, Mapping):
            raise InvalidTypeformPayload("the body is not an object")
        if envelope.get("event_type") != "form_response":
            raise InvalidTypeformPayload(f"not a form_response: {envelope.get('event_type')!r}")
        form_response = envelope.get("form_response")
        if not isinstance(form_response, Mapping):
            raise InvalidTypeformPayload("form_response is not an object")
        return cls.from_form_response(form_response, event_id=str(envelope.get("event_id") or ""))


@dataclass(frozen=True)
class TypeformResponsePage:
    """A page of the Responses API, newest first as Typeform sends them. Pass the last
    item's token as `before` for the next page."""

    items: tuple[TypeformResponse, ...]
    total_items: int
    page_count: int
