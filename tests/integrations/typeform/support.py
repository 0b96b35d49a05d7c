"""Typeform bodies built from the documented field names (no copied example), and the
vendor signature vectors (tests/vendor_data/typeform)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "vendor_data"
        / "typeform"
        / "signature_test_vectors.json"
    ).read_text()
)


def answer(ref: str, answer_type: str, value: Any, *, field_type: str = "") -> dict[str, Any]:
    return {
        "field": {"id": f"id-{ref}", "type": field_type or answer_type, "ref": ref},
        "type": answer_type,
        answer_type: value,
    }


def form_response(
    *,
    form_id: str = "tfForm01",
    token: str = "tok0000000000000000000000000001",  # noqa: S107 - a response token
    submitted_at: str = "2026-12-01T10:00:00Z",
    hidden: dict[str, str] | None = None,
    answers: list[dict[str, Any]] | None = None,
    titles: dict[str, str] | None = None,
) -> dict[str, Any]:
    answers = answers if answers is not None else [answer("reason", "text", "Sleep trouble")]
    titles = titles or {}
    return {
        "form_id": form_id,
        "token": token,
        "landed_at": submitted_at,
        "submitted_at": submitted_at,
        "hidden": hidden or {},
        "calculated": {"score": 0},
        "variables": [{"key": "score", "type": "number", "number": 0}],
        "definition": {
            "id": form_id,
            "title": "Intake",
            "fields": [
                {
                    "id": item["field"]["id"],
                    "ref": item["field"]["ref"],
                    "type": item["field"]["type"],
                    "title": titles.get(item["field"]["ref"], item["field"]["ref"].title()),
                    "properties": {},
                }
                for item in answers
            ],
        },
        "answers": answers,
        "ending": {"id": "end1", "ref": "default_ending"},
    }


def webhook_body(response: dict[str, Any], *, event_id: str = "evt01") -> bytes:
    return json.dumps(
        {"event_id": event_id, "event_type": "form_response", "form_response": response}
    ).encode()
