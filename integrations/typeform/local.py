"""The offline Typeform (DESIGN.md §4 `local`): nothing leaves the process.

`LocalTypeform` renders a Typeform-style form at /typeform-local/<form_id>/ (views.py) so
`make run` can fill a linked form offline. Submitting it builds the `form_response`
webhook body Typeform would send (envelope, definition, answers by field ref, hidden
fields), signs it with TYPEFORM_WEBHOOK_SECRET exactly as Typeform signs, and hands it to
the same intake the HTTP view at /webhooks/typeform/ calls
(settings.TYPEFORM_LOCAL_WEBHOOK_RECEIVER). Submitted responses are kept and served by
`responses()` like the Responses API, newest first.

A form id the adapter has not been told about (`define_form`) gets `DEFAULT_FIELDS`. Tokens
are deterministic (derived from the form id and a counter). Tests call
`LocalTypeform.reset()`; `deliveries` records each webhook and its outcome."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from integrations.typeform.signatures import sign
from integrations.typeform.types import (
    TypeformError,
    TypeformResponse,
    TypeformResponsePage,
)

# Field types the local form renders, with the answer type Typeform reports for each.
ANSWER_TYPES = {
    "short_text": "text",
    "long_text": "text",
    "multiple_choice": "choice",
    "yes_no": "boolean",
    "date": "date",
    "number": "number",
    "email": "email",
}

DEFAULT_FIELDS: tuple[dict[str, Any], ...] = (
    {
        "id": "LocalF1",
        "ref": "reason",
        "type": "long_text",
        "title": "What would you like to work on?",
        "required": True,
    },
    {
        "id": "LocalF2",
        "ref": "first_time",
        "type": "yes_no",
        "title": "Is this your first session of this kind?",
        "required": True,
    },
    {
        "id": "LocalF3",
        "ref": "contact_time",
        "type": "multiple_choice",
        "title": "When is it best to contact you?",
        "required": False,
        "choices": [
            {"id": "c1", "ref": "morning", "label": "Morning"},
            {"id": "c2", "ref": "afternoon", "label": "Afternoon"},
            {"id": "c3", "ref": "evening", "label": "Evening"},
        ],
    },
    {
        "id": "LocalF4",
        "ref": "medications",
        "type": "short_text",
        "title": "Any medication we should know about?",
        "required": False,
    },
)


@dataclass(frozen=True)
class LocalDelivery:
    """One webhook as it went to the receiver: the raw body, its signature header, and
    the error the receiver raised (empty when it took the delivery)."""

    body: bytes
    signature: str
    error: str = ""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LocalTypeform:
    """Holds Typeform's side in class-level state shared by every instance in the
    process (the factory caches one, tests may make their own)."""

    forms: ClassVar[dict[str, dict[str, Any]]] = {}
    submitted: ClassVar[dict[str, list[dict[str, Any]]]] = {}
    deliveries: ClassVar[list[LocalDelivery]] = []
    _counter: ClassVar[int] = 0
    _lock: ClassVar[threading.RLock] = threading.RLock()

    # ---- test and demo controls ----

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.forms.clear()
            cls.submitted.clear()
            cls.deliveries.clear()
            cls._counter = 0

    @classmethod
    def define_form(cls, form_id: str, *, title: str, fields: list[dict[str, Any]]) -> None:
        """The form `form_id` has these fields (Typeform's definition shape: id, ref, type,
        title, required, choices)."""
        with cls._lock:
            cls.forms[form_id] = {"id": form_id, "title": title, "fields": fields}

    @classmethod
    def definition(cls, form_id: str) -> dict[str, Any]:
        with cls._lock:
            known = cls.forms.get(form_id)
        if known is not None:
            return known
        return {"id": form_id, "title": "Intake form", "fields": [dict(f) for f in DEFAULT_FIELDS]}

    # ---- the respondent's side (views.py) ----

    @classmethod
    def submit(
        cls,
        *,
        form_id: str,
        hidden: Mapping[str, str],
        values: Mapping[str, Any],
        submitted_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Records a submitted response and delivers its signed webhook; returns the
        `form_response`. `values` maps a field's ref to its value (a choice's label)."""
        definition = cls.definition(form_id)
        now = submitted_at or datetime.now(UTC)
        with cls._lock:
            cls._counter += 1
            counter = cls._counter
        token = hashlib.sha256(f"{form_id}:{counter}".encode()).hexdigest()[:32]
        answers = []
        for question in definition["fields"]:
            value = values.get(question["ref"])
            if value in (None, ""):
                continue  # Typeform leaves unanswered questions out
            answer_type = ANSWER_TYPES.get(question["type"], "text")
            answer: dict[str, Any] = {
                "field": {"id": question["id"], "type": question["type"], "ref": question["ref"]},
                "type": answer_type,
            }
            if answer_type == "choice":
                answer["choice"] = {"label": str(value)}
            else:
                answer[answer_type] = value
            answers.append(answer)
        form_response = {
            "form_id": form_id,
            "token": token,
            "landed_at": _stamp(now),
            "submitted_at": _stamp(now),
            "hidden": dict(hidden),
            "definition": {
                "id": form_id,
                "title": definition["title"],
                "fields": [
                    {
                        key: question[key]
                        for key in ("id", "ref", "type", "title")
                        if key in question
                    }
                    for question in definition["fields"]
                ],
            },
            "answers": answers,
        }
        with cls._lock:
            cls.submitted.setdefault(form_id, []).append(form_response)
        body = json.dumps(
            {
                "event_id": "LOCAL" + token[:20].upper(),
                "event_type": "form_response",
                "form_response": form_response,
            },
            separators=(",", ":"),
        ).encode()
        cls.deliver(body)
        return form_response

    @classmethod
    def deliver(cls, body: bytes) -> None:
        """Signs `body` as Typeform would and hands it to the receiver."""
        signature = sign(body, settings.TYPEFORM_WEBHOOK_SECRET)
        receiver = import_string(settings.TYPEFORM_LOCAL_WEBHOOK_RECEIVER)
        try:
            receiver(body, signature)
        except Exception as error:  # the receiver's refusal is recorded, as Typeform would
            cls.deliveries.append(LocalDelivery(body, signature, f"{type(error).__name__}"))
            raise
        cls.deliveries.append(LocalDelivery(body, signature))

    # ---- the port ----

    def form_url(self, *, form_id: str, hidden: Mapping[str, str], return_url: str = "") -> str:
        query = dict(hidden)
        if return_url:
            query["return_to"] = return_url
        url = reverse("typeform-local-form", kwargs={"form_id": form_id})
        return url + ("?" + urlencode(query) if query else "")

    def responses(
        self,
        *,
        form_id: str,
        since: datetime | None = None,
        before: str = "",
        tokens: tuple[str, ...] = (),
        page_size: int = 25,
    ) -> TypeformResponsePage:
        if not form_id:
            raise TypeformError("A form id is needed.")
        with self._lock:
            stored = list(reversed(self.submitted.get(form_id, [])))
        items = [TypeformResponse.from_form_response(item) for item in stored]
        if since is not None:
            items = [item for item in items if item.submitted_at > since]
        if tokens:
            items = [item for item in items if item.token in tokens]
        if before:
            position = next((i for i, item in enumerate(items) if item.token == before), None)
            items = items[position + 1 :] if position is not None else []
        page = items[: max(1, page_size)]
        pages = max(1, -(-len(items) // max(1, page_size))) if items else 0
        return TypeformResponsePage(items=tuple(page), total_items=len(items), page_count=pages)
