"""The offline Typeform's respondent page, /typeform-local/<form_id>/?<hidden fields>: it
stands in for form.typeform.com so a linked form can be filled without leaving the
machine. It exists only while TYPEFORM_GATEWAY names the local adapter. Submitting sends
the signed webhook through the same intake as Typeform's (see local.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods

from integrations.typeform.local import LocalTypeform

logger = logging.getLogger(__name__)

FORM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_ANSWER_CHARS = 5000
RESERVED = {"return_to", "csrfmiddlewaretoken"}


def _local_only() -> None:
    try:
        gateway = import_string(settings.TYPEFORM_GATEWAY)
    except ImportError as error:
        raise Http404 from error
    if not (isinstance(gateway, type) and issubclass(gateway, LocalTypeform)):
        raise Http404


def _read(question: dict[str, Any], raw: str) -> tuple[Any, str]:
    """The answer's value and an error message (empty when fine)."""
    raw = raw.strip()
    if not raw:
        return None, "This question needs an answer." if question.get("required") else ""
    if len(raw) > MAX_ANSWER_CHARS:
        return None, f"Keep it under {MAX_ANSWER_CHARS} characters."
    kind = question["type"]
    if kind == "yes_no":
        if raw not in ("yes", "no"):
            return None, "Choose yes or no."
        return raw == "yes", ""
    if kind == "multiple_choice":
        labels = [choice["label"] for choice in question.get("choices", [])]
        return (raw, "") if raw in labels else (None, "Choose one of the options.")
    if kind == "number":
        try:
            return int(raw), ""
        except ValueError:
            return None, "Enter a whole number."
    if kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return None, "Enter a date like 2026-01-31."
    return raw, ""


@require_http_methods(["GET", "POST"])
def form_page(request: HttpRequest, form_id: str) -> HttpResponse:
    _local_only()
    if not FORM_ID.match(form_id):
        raise Http404
    definition = LocalTypeform.definition(form_id)
    source = request.GET
    hidden: dict[str, str] = {
        key: str(source.get(key, ""))[:500]
        for key in source
        if key not in RESERVED and source.get(key)
    }
    return_to = source.get("return_to", "")
    if not url_has_allowed_host_and_scheme(return_to, allowed_hosts={request.get_host()}):
        return_to = ""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    submitted = False
    delivery_failed = False
    if request.method == "POST":
        for question in definition["fields"]:
            value, error = _read(question, request.POST.get(question["ref"], ""))
            if error:
                errors[question["ref"]] = error
            elif value is not None:
                values[question["ref"]] = value
        if not errors:
            try:
                LocalTypeform.submit(form_id=form_id, hidden=hidden, values=values)
            except Exception:
                # Typeform would retry; the offline one tells the person instead.
                logger.warning("the local Typeform webhook was refused", exc_info=True)
                delivery_failed = True
            else:
                submitted = True
    questions = [
        {
            **question,
            "error": errors.get(question["ref"], ""),
            "given": request.POST.get(question["ref"], "") if request.method == "POST" else "",
        }
        for question in definition["fields"]
    ]
    status = 400 if errors else 200
    return render(
        request,
        "typeform_local/form.html",
        {
            "form_title": definition["title"],
            "questions": questions,
            "has_errors": bool(errors),
            "submitted": submitted,
            "delivery_failed": delivery_failed,
            "return_to": return_to,
        },
        status=status,
    )
