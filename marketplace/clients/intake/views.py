"""Intake pages: the practitioner's builder (/dashboard/practice/intake/), the intake
section of a care record on both sides (/dashboard/practice/clients/<record_id>/intake/,
/account/care/<record_id>/intake/), and the Typeform webhook (/webhooks/typeform/).

Everything works without JavaScript: questions are added, changed, removed and reordered
by form posts. Record pages ask `record_access` first (404 for anyone it does not name)
and audit every read and write of answers."""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.pagination import MAX_ID
from integrations.typeform import get_typeform
from integrations.typeform.types import InvalidTypeformPayload, WebhookSignatureError
from marketplace.clients.intake import questions as q
from marketplace.clients.intake import selectors, services
from marketplace.clients.intake.errors import (
    IntakeError,
    IntakeInvalid,
    IntakeLocked,
    IntakeNotAsked,
)
from marketplace.clients.intake.forms import NewFormForm, QuestionForm
from marketplace.clients.intake.models import IntakeForm, IntakeResponse
from marketplace.clients.intake.references import HIDDEN_FIELD, booking_reference
from marketplace.clients.records.access import BREAK_GLASS, PRACTITIONER, record_access
from marketplace.clients.records.pages import audit_read, client_side, record_frame
from marketplace.practitioners.access import practitioner_view
from marketplace.practitioners.models import Service

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 512 * 1024


def _ids_in_range(view):
    """404 for an id in the path beyond a bigint: it names nothing, and must not reach the
    database driver (PostgreSQL would refuse the parameter)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        for name, value in kwargs.items():
            if name.endswith("_id") and isinstance(value, int) and not 0 < value <= MAX_ID:
                raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


# ---- the builder -------------------------------------------------------------------------


def _own_form(practitioner, form_id: int) -> IntakeForm:
    form = IntakeForm.objects.filter(pk=form_id, practitioner=practitioner).first()
    if form is None:
        raise Http404("No such form.")
    return form


def _builder_context(request, practitioner, **extra) -> dict[str, Any]:
    forms = [
        {"form": form, "current": max(form.versions.all(), key=lambda v: v.number, default=None)}
        for form in selectors.forms_of(practitioner)
    ]
    return {
        "practitioner": practitioner,
        "forms": forms,
        "services": selectors.services_with_links(practitioner),
        "new_form": NewFormForm(),
        "webhook_url": request.build_absolute_uri(reverse("typeform-webhook")),
        "section": "intake",
        **extra,
    }


@require_http_methods(["GET", "POST"])
@practitioner_view
def intake_forms(request: HttpRequest, practitioner) -> HttpResponse:
    """The practitioner's forms, a new one, and which intake each service asks for."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_form = NewFormForm(request.POST)
            if new_form.is_valid():
                form = services.intake_form_create(
                    practitioner=practitioner, title=new_form.cleaned_data["title"]
                )
                messages.success(request, "Form created. Add its questions.")
                return redirect("practice-intake-form", form_id=form.pk)
            context = _builder_context(request, practitioner, new_form=new_form)
            return render(request, "intake/practice_forms.html", context, status=400)
        if action == "attach":
            return _attach(request, practitioner)
        return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    return render(request, "intake/practice_forms.html", _builder_context(request, practitioner))


def _attach(request: HttpRequest, practitioner) -> HttpResponse:
    service_id = _int(request.POST.get("service"))
    service = (
        Service.objects.filter(pk=service_id, practitioner=practitioner).first()
        if service_id is not None
        else None
    )
    if service is None:
        raise Http404("No such service.")
    choice = request.POST.get("intake", "")
    form = None
    typeform_form_id = ""
    if choice == "typeform":
        typeform_form_id = request.POST.get("typeform_form_id", "")
        if not typeform_form_id.strip():
            messages.error(request, f"{service.name}: enter the Typeform form id.")
            return redirect("practice-intake")
    elif choice.startswith("form:"):
        form = _own_form(practitioner, _int(choice[5:]) or 0)
    elif choice != "none":
        return HttpResponse("Choose an intake.", status=400, content_type="text/plain")
    try:
        services.service_intake_set(
            practitioner=practitioner,
            service=service,
            form=form,
            typeform_form_id=typeform_form_id,
        )
    except IntakeError as error:
        messages.error(request, f"{service.name}: {error.detail}")
    else:
        messages.success(request, f"Saved the intake for {service.name}.")
    return redirect("practice-intake")


_MOVES = {"up": -1, "down": 1}


@_ids_in_range
@require_http_methods(["GET", "POST"])
@practitioner_view
def intake_form_edit(request: HttpRequest, practitioner, form_id: int) -> HttpResponse:
    """One form's editor: its title, its questions in order, and a question to add or
    change. Every change goes to the version being edited (see services._edit)."""
    form = _own_form(practitioner, form_id)
    status = 200
    editing_id = request.GET.get("edit", "")
    rename_error = ""
    question_form = QuestionForm(prefix_id="new")
    if request.method == "POST":
        action = request.POST.get("action", "")
        question_id = request.POST.get("question", "")
        try:
            if action == "rename":
                services.intake_form_rename(form=form, title=request.POST.get("title", ""))
                messages.success(request, "Title saved.")
                return redirect("practice-intake-form", form_id=form.pk)
            if action in ("add", "update"):
                question_form = QuestionForm(request.POST, prefix_id="new")
                if question_form.is_valid():
                    if action == "add":
                        services.intake_question_add(form=form, **question_form.service_fields())
                        messages.success(request, "Question added.")
                    else:
                        services.intake_question_update(
                            form=form, question_id=question_id, **question_form.service_fields()
                        )
                        messages.success(request, "Question saved.")
                    return redirect("practice-intake-form", form_id=form.pk)
                editing_id = question_id if action == "update" else ""
                status = 400
            elif action == "remove":
                services.intake_question_remove(form=form, question_id=question_id)
                messages.success(request, "Question removed.")
                return redirect("practice-intake-form", form_id=form.pk)
            elif action in _MOVES:
                services.intake_question_move(
                    form=form, question_id=question_id, offset=_MOVES[action]
                )
                return redirect(
                    f"{reverse('practice-intake-form', args=[form.pk])}#q-{question_id}"
                )
            else:
                return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        except IntakeError as error:
            if action == "rename":
                rename_error = error.detail
            else:
                messages.error(request, error.detail)
            status = 400
    version = services.latest_version(form)
    editing = next((qq for qq in version.questions if qq["id"] == editing_id), None)
    if editing is not None and request.method == "GET":
        question_form = QuestionForm(initial=QuestionForm.initial_for(editing), prefix_id="new")
    answered = version.responses.exists()
    return render(
        request,
        "intake/practice_form_edit.html",
        {
            "practitioner": practitioner,
            "form": form,
            "version": version,
            "questions": [{**qq, "kind_label": q.KINDS[qq["kind"]]} for qq in version.questions],
            "question_form": question_form,
            "editing": editing,
            "answered": answered,
            "rename_error": rename_error,
            "section": "intake",
        },
        status=status,
    )


# ---- the record's intake section -------------------------------------------------------------

PRACTITIONER_ROLES = (PRACTITIONER, BREAK_GLASS)


def _practitioner_access(request: HttpRequest, record_id: int):
    """The record's practitioner, or staff under break-glass (intake is not among what a
    client shares with another practitioner); 404 for everyone else."""
    access = record_access(user=request.user, record_id=record_id)
    if access.role not in PRACTITIONER_ROLES:
        raise Http404("No such record.")
    return access


@_ids_in_range
@login_required
@require_http_methods(["GET"])
def practitioner_intakes(request: HttpRequest, record_id: int) -> HttpResponse:
    access = _practitioner_access(request, record_id)
    audit_read(request, access, details={"section": "intake"})
    return render(
        request,
        "intake/record_practitioner_list.html",
        {
            **record_frame(request, access, active="intake"),
            "items": selectors.record_intakes(record=access.record),
            "zone": access.record.practitioner.zone,
        },
    )


@_ids_in_range
@login_required
@require_http_methods(["GET"])
def practitioner_intake_detail(
    request: HttpRequest, record_id: int, booking_id: int
) -> HttpResponse:
    access = _practitioner_access(request, record_id)
    response = selectors.response_for_booking(record=access.record, booking_id=booking_id)
    if response is None:
        raise Http404("No answers for that booking.")
    audit_read(request, access, object_type="intake_response", object_id=response.pk)
    return render(
        request,
        "intake/record_practitioner_detail.html",
        {
            **record_frame(request, access, active="intake"),
            "response": response,
            "facts": selectors.booking_facts(booking_id),
            "rows": selectors.answer_rows(response),
            "zone": access.record.practitioner.zone,
        },
    )


@_ids_in_range
@login_required
@require_http_methods(["GET"])
def client_intakes(request: HttpRequest, record_id: int) -> HttpResponse:
    access = client_side(request, record_id)
    audit_read(request, access, details={"section": "intake"})
    return render(
        request,
        "intake/record_client_list.html",
        {
            **record_frame(request, access, active="intake"),
            "items": selectors.record_intakes(record=access.record),
            "zone": access.record.practitioner.zone,
        },
    )


def _question_fields(
    questions: list[dict], answers: dict, errors: dict, raw: dict | None
) -> list[dict]:
    """What the template needs per question: its current value(s) and error."""
    fields = []
    for question in questions:
        value = raw.get(question["id"]) if raw is not None else answers.get(question["id"])
        if question["kind"] == q.YES_NO and isinstance(value, bool):
            value = "yes" if value else "no"
        if question["kind"] == q.MULTIPLE_CHOICE:
            value = value if isinstance(value, list) else ([value] if value else [])
        elif value is not None and not isinstance(value, str):
            value = str(value)
        scale = (
            list(range(question["scale_min"], question["scale_max"] + 1))
            if question["kind"] == q.SCALE
            else []
        )
        fields.append(
            {
                **question,
                "value": value if value is not None else "",
                "error": errors.get(question["id"], ""),
                "scale": scale,
            }
        )
    return fields


@_ids_in_range
@login_required
@require_http_methods(["GET", "POST"])
def client_intake_fill(request: HttpRequest, record_id: int, booking_id: int) -> HttpResponse:
    """The client's intake for one booking: the form (or the link to the Typeform form),
    their answers, and the lock once the session has started."""
    access = client_side(request, record_id)
    record = access.record
    try:
        facts, link = services.intake_asked(record=record, booking_id=booking_id)
    except IntakeNotAsked:
        facts, link = None, None
    response = selectors.response_for_booking(record=record, booking_id=booking_id)
    if facts is None and response is None:
        raise Http404("No intake for that booking.")
    locked = facts is None or services.intake_is_locked(facts=facts)
    errors: dict[str, str] = {}
    raw: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        if locked:
            return _render_fill(
                request,
                access,
                facts,
                link,
                response,
                locked=True,
                status=409,
                errors={},
                raw=None,
                locked_now=True,
            )
        version = (
            response.form_version
            if response is not None
            else (
                services.latest_version(link.form)
                if link is not None and link.form is not None
                else None
            )
        )
        questions = list(version.questions) if version is not None else []
        raw = {
            question["id"]: (
                request.POST.getlist(question["id"])
                if question["kind"] == q.MULTIPLE_CHOICE
                else request.POST.get(question["id"], "")
            )
            for question in questions
        }
        try:
            services.intake_response_submit(
                record=record,
                user=request.user,
                booking_id=booking_id,
                raw_answers=raw,
                request=request,
            )
        except IntakeInvalid as error:
            errors = error.errors
            status = 400
        except IntakeLocked:
            return _render_fill(
                request,
                access,
                facts,
                link,
                response,
                locked=True,
                status=409,
                errors={},
                raw=None,
                locked_now=True,
            )
        except IntakeNotAsked as error:
            raise Http404(error.detail) from error
        else:
            messages.success(
                request,
                "Thank you: your intake is saved. You can change it until your session starts.",
            )
            return redirect("care-intake-client-fill", record_id=record.pk, booking_id=booking_id)
    elif response is not None:
        audit_read(request, access, object_type="intake_response", object_id=response.pk)
    return _render_fill(
        request, access, facts, link, response, locked=locked, status=status, errors=errors, raw=raw
    )


def _render_fill(
    request, access, facts, link, response, *, locked, status, errors, raw, locked_now=False
):
    version = None
    if response is not None and response.source == IntakeResponse.Source.FORM:
        version = response.form_version
    elif response is None and link is not None and link.form is not None:
        version = services.latest_version(link.form)
    typeform_url = ""
    if link is not None and link.is_typeform and not locked:
        typeform_url = get_typeform().form_url(
            form_id=link.typeform_form_id,
            hidden={HIDDEN_FIELD: booking_reference(facts.booking_id)},
            return_url=request.path,
        )
    answers = response.answers if response is not None and version is not None else {}
    context = {
        **record_frame(request, access, active="intake"),
        "facts": facts,
        "response": response,
        "version": version,
        "fields": _question_fields(list(version.questions), answers or {}, errors, raw)
        if version
        else [],
        "rows": selectors.answer_rows(response) if response is not None else [],
        "locked": locked,
        "locked_now": locked_now,
        "has_errors": bool(errors),
        "typeform_url": typeform_url,
        "zone": access.record.practitioner.zone,
    }
    return render(request, "intake/record_client_fill.html", context, status=status)


# ---- the Typeform webhook ------------------------------------------------------------------


def _json_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


@csrf_exempt
def typeform_webhook(request: HttpRequest) -> HttpResponse:
    """POST /webhooks/typeform/: 200 once stored (a redelivery or replay too, storing
    nothing new), 401 without a signature, 403 when it does not verify (nothing stored),
    400 for a signed body that is not a readable response, 405 for other methods, 413
    when too large."""
    from marketplace.clients.intake.webhooks import receive

    if request.method != "POST":
        return _json_error("method_not_allowed", "Use POST.", 405)
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return _json_error("too_large", "Payload too large.", 413)
    signature = request.headers.get("Typeform-Signature", "")
    if not signature:
        return _json_error("missing_signature", "The Typeform-Signature header is missing.", 401)
    try:
        event = receive(request.body, signature)
    except WebhookSignatureError as error:
        logger.warning("rejected Typeform webhook: %s", error)
        return _json_error("invalid_signature", "The signature did not verify.", 403)
    except InvalidTypeformPayload as error:
        logger.warning("unreadable Typeform webhook: %s", error)
        return _json_error("invalid_payload", "The body is not a Typeform response.", 400)
    if event is None:
        return JsonResponse({"received": True, "stored": False})
    return JsonResponse({"received": True, "stored": True})
