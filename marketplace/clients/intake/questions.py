"""Question kinds, how a question is described (a dict in a form version's `questions`
list, in display order), and the server-side check of answers per kind.

    {"id": "q7f3a1c2", "kind": "scale", "label": "How is your sleep?", "help": "",
     "required": true, "choices": [], "scale_min": 0, "scale_max": 10,
     "min_label": "Very poor", "max_label": "Very good"}

Answers are a dict keyed by question id: text for short and long text, one of the choices
for single choice, a list of choices for multiple choice, an integer for a scale, an ISO
date string for a date, true or false for yes/no. An unanswered optional question is left
out."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
SCALE = "scale"
DATE = "date"
YES_NO = "yes_no"

KINDS = {
    SHORT_TEXT: "Short text",
    LONG_TEXT: "Long text",
    SINGLE_CHOICE: "Single choice",
    MULTIPLE_CHOICE: "Multiple choice",
    SCALE: "Scale",
    DATE: "Date",
    YES_NO: "Yes / no",
}
CHOICE_KINDS = (SINGLE_CHOICE, MULTIPLE_CHOICE)

MAX_QUESTIONS = 60
MAX_LABEL = 300
MAX_HELP = 500
MAX_CHOICES = 30
MAX_CHOICE = 120
MAX_SHORT_TEXT = 500
MAX_LONG_TEXT = 10_000
SCALE_BOUNDS = (-100, 100)
MAX_SCALE_STEPS = 101
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))


class QuestionError(ValueError):
    """A question description that cannot be used."""


def new_question_id() -> str:
    return "q" + secrets.token_hex(4)


def question_build(
    *,
    kind: str,
    label: str,
    help_text: str = "",
    required: bool = False,
    choices: list[str] | None = None,
    scale_min: int | None = None,
    scale_max: int | None = None,
    min_label: str = "",
    max_label: str = "",
    question_id: str | None = None,
) -> dict[str, Any]:
    """A checked question dict; raises QuestionError saying what is wrong."""
    if kind not in KINDS:
        raise QuestionError("Choose a kind of question.")
    label = (label or "").strip()
    if not label:
        raise QuestionError("A question needs its text.")
    if len(label) > MAX_LABEL:
        raise QuestionError(f"Keep the question under {MAX_LABEL} characters.")
    help_text = (help_text or "").strip()
    if len(help_text) > MAX_HELP:
        raise QuestionError(f"Keep the help text under {MAX_HELP} characters.")
    question: dict[str, Any] = {
        "id": question_id or new_question_id(),
        "kind": kind,
        "label": label,
        "help": help_text,
        "required": bool(required),
        "choices": [],
        "scale_min": None,
        "scale_max": None,
        "min_label": "",
        "max_label": "",
    }
    if kind in CHOICE_KINDS:
        cleaned: list[str] = []
        for choice in choices or []:
            choice = (choice or "").strip()
            if choice and choice not in cleaned:
                if len(choice) > MAX_CHOICE:
                    raise QuestionError(f"Keep each choice under {MAX_CHOICE} characters.")
                cleaned.append(choice)
        if len(cleaned) < 2:
            raise QuestionError("A choice question needs at least two different choices.")
        if len(cleaned) > MAX_CHOICES:
            raise QuestionError(f"A question may have at most {MAX_CHOICES} choices.")
        question["choices"] = cleaned
    if kind == SCALE:
        low = 1 if scale_min is None else scale_min
        high = 5 if scale_max is None else scale_max
        if not (SCALE_BOUNDS[0] <= low < high <= SCALE_BOUNDS[1]):
            raise QuestionError(
                f"A scale runs from a lower to a higher whole number between "
                f"{SCALE_BOUNDS[0]} and {SCALE_BOUNDS[1]}."
            )
        if high - low + 1 > MAX_SCALE_STEPS:
            raise QuestionError(f"A scale may have at most {MAX_SCALE_STEPS} points.")
        question.update(
            scale_min=low,
            scale_max=high,
            min_label=(min_label or "").strip()[:MAX_CHOICE],
            max_label=(max_label or "").strip()[:MAX_CHOICE],
        )
    return question


def _empty(value: Any) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def clean_answer(question: Mapping[str, Any], value: Any) -> Any:
    """The stored value of one answer (None for an unanswered optional question); raises
    ValueError with a message for the person."""
    kind = question["kind"]
    if _empty(value):
        if question.get("required"):
            raise ValueError("This question needs an answer.")
        return None
    if kind in (SHORT_TEXT, LONG_TEXT):
        if not isinstance(value, str):
            raise ValueError("Enter text.")
        text = value.strip()
        limit = MAX_SHORT_TEXT if kind == SHORT_TEXT else MAX_LONG_TEXT
        if len(text) > limit:
            raise ValueError(f"Keep this under {limit} characters.")
        if "\x00" in text:
            raise ValueError("Enter text.")
        return text
    if kind == SINGLE_CHOICE:
        if not isinstance(value, str) or value not in question["choices"]:
            raise ValueError("Choose one of the options.")
        return value
    if kind == MULTIPLE_CHOICE:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
            raise ValueError("Choose from the options.")
        if any(item not in question["choices"] for item in values):
            raise ValueError("Choose from the options.")
        chosen = [choice for choice in question["choices"] if choice in values]
        if not chosen and question.get("required"):
            raise ValueError("Choose at least one option.")
        return chosen or None
    if kind == SCALE:
        if isinstance(value, bool):
            raise ValueError("Choose a point on the scale.")
        try:
            number = int(value) if not isinstance(value, float) or value.is_integer() else None
        except (TypeError, ValueError):
            number = None
        if number is None or not (question["scale_min"] <= number <= question["scale_max"]):
            raise ValueError(
                f"Choose a whole number from {question['scale_min']} to {question['scale_max']}."
            )
        return number
    if kind == DATE:
        if not isinstance(value, str):
            raise ValueError("Enter a date like 2026-01-31.")
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("Enter a date like 2026-01-31.") from None
        if not (DATE_RANGE[0] <= parsed <= DATE_RANGE[1]):
            raise ValueError("Enter a real date.")
        return parsed.isoformat()
    if kind == YES_NO:
        if isinstance(value, bool):
            return value
        if value in ("yes", "no"):
            return value == "yes"
        raise ValueError("Choose yes or no.")
    raise ValueError("This question cannot be answered.")  # pragma: no cover - kinds are fixed


def clean_answers(
    questions: list[Mapping[str, Any]], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers by question id, errors by question id). Keys in `raw` that are not
    questions of this version are ignored."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        try:
            value = clean_answer(question, raw.get(question["id"]))
        except ValueError as error:
            errors[question["id"]] = str(error)
            continue
        if value is not None:
            answers[question["id"]] = value
    return answers, errors


def display_value(question: Mapping[str, Any], value: Any) -> str:
    """An answer as a person reads it."""
    if value is None:
        return ""
    if question["kind"] == YES_NO:
        return "Yes" if value else "No"
    if question["kind"] == MULTIPLE_CHOICE:
        return ", ".join(value)
    if question["kind"] == SCALE:
        return f"{value} (from {question['scale_min']} to {question['scale_max']})"
    return str(value)
