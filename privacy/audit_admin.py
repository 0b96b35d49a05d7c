"""The staff audit screen in the Wagtail admin: the whole log, newest first, filtered by
actor, subject (an id or an account's email), action and date range, paginated, and the
same selection as CSV. Staff only (is_staff); nothing in the log is clinical content."""

import csv
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from privacy.audit import audit
from privacy.models import AuditEntry

PAGE_SIZE = 50
CSV_COLUMNS = (
    "id",
    "created_at",
    "action",
    "actor_id",
    "actor_email",
    "subject_user_id",
    "object_type",
    "object_id",
    "request_id",
    "ip",
    "details",
    "hash",
)
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        required=False, max_length=254, help_text="A user id or an account's email address."
    )
    subject = forms.CharField(
        required=False,
        max_length=254,
        help_text="Whose data: a user id or an account's email address.",
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AuditEntry.Action.choices]
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return data


def _user_id(value: str) -> int | None:
    """A user id from an id or an email; -1 (matching nothing) for an unknown email."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and len(value) < 19:
        return int(value)
    found = User.objects.filter(email__iexact=value).values_list("pk", flat=True).first()
    return found if found is not None else -1


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_entries(data: dict) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-created_at", "-pk")
    actor = _user_id(data.get("actor") or "")
    if actor is not None:
        entries = entries.filter(actor_id=actor)
    subject = _user_id(data.get("subject") or "")
    if subject is not None:
        entries = entries.filter(subject_user_id=subject)
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("date_from"):
        entries = entries.filter(created_at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(created_at__lt=_day_start(data["date_to"] + timedelta(days=1)))
    return entries


def _staff_only(request) -> None:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise PermissionDenied


def _form(request) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data
    return form, {}


@require_GET
def audit_log_view(request):
    _staff_only(request)
    form, data = _form(request)
    page = Paginator(filtered_entries(data), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    emails = dict(
        User.objects.filter(pk__in={e.actor_id for e in entries if e.actor_id}).values_list(
            "pk", "email"
        )
    )
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "privacy/admin/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": [(entry, emails.get(entry.actor_id)) for entry in entries],
            "query": query.urlencode(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_rows(data: dict) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    entries = filtered_entries(data)
    emails: dict[int, str] = {}
    for entry in entries.iterator(chunk_size=2000):
        if entry.actor_id and entry.actor_id not in emails:
            emails[entry.actor_id] = (
                User.objects.filter(pk=entry.actor_id).values_list("email", flat=True).first() or ""
            )
        yield writer.writerow(
            [
                csv_safe(cell)
                for cell in (
                    entry.pk,
                    entry.created_at.isoformat(),
                    entry.action,
                    entry.actor_id,
                    emails.get(entry.actor_id or 0, ""),
                    entry.subject_user_id,
                    entry.object_type,
                    entry.object_id,
                    entry.request_id,
                    entry.ip,
                    entry.details,
                    entry.hash,
                )
            ]
        )


@require_GET
def audit_log_csv_view(request):
    """The filtered log as CSV, streamed. The export itself is audited."""
    _staff_only(request)
    _form_unused, data = _form(request)
    audit(
        actor=request.user,
        action="export",
        subject_user_id=None,
        object_type="audit_log",
        object_id=None,
        request=request,
        details={key: str(value) for key, value in data.items() if value},
    )
    response = StreamingHttpResponse(audit_csv_rows(data), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
