"""Staff screens in the Wagtail admin: the verification queue (open cases, oldest first,
then every practitioner by stage with a filter and a CSV export, staff_queue.py),
invitations to apply (decision 0027), one case with the practitioner's profile,
credentials (documents through the checked download view) and identity-check result,
with approve / reject-with-reason, and suspend / reinstate with a reason. Staff only
(is_staff); editors do not see it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from marketplace.practitioners.application_forms import InvitationForm
from marketplace.practitioners.errors import PractitionerError
from marketplace.practitioners.forms import ReasonForm
from marketplace.practitioners.models import (
    PractitionerInvitation,
    PractitionerProfile,
    VerificationCase,
)
from marketplace.practitioners.selectors import verification_queue
from marketplace.practitioners.services import (
    practitioner_reinstate,
    practitioner_suspend,
    verification_approve,
    verification_reject,
)
from marketplace.practitioners.services.applications import practitioner_invitation_create
from marketplace.practitioners.staff_queue import (
    STAGE_LABELS,
    STAGES,
    practitioners_by_stage,
    practitioners_csv_rows,
)

QUEUE_PAGE_SIZE = 50
INVITATIONS_SHOWN = 50


def _staff_only(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


def _stage_param(request) -> str:
    stage = request.GET.get("stage", "")
    return stage if stage in STAGE_LABELS else ""


def queue_view(request):
    _staff_only(request)
    stage = _stage_param(request)
    page = Paginator(practitioners_by_stage(stage=stage), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    open_cases = {
        case.practitioner_id: case.pk
        for case in VerificationCase.objects.filter(
            practitioner__in=[row.pk for row in rows], decision=VerificationCase.Decision.OPEN
        ).only("pk", "practitioner_id")
    }
    return TemplateResponse(
        request,
        "practitioners/admin/queue.html",
        {
            "stages": STAGES,
            "stage": stage,
            "stage_label": STAGE_LABELS.get(stage, ""),
            "page": page,
            "rows": [
                {
                    "practitioner": row,
                    "stage_label": STAGE_LABELS.get(row.stage, row.stage),
                    "open_case_id": open_cases.get(row.pk),
                }
                for row in rows
            ],
            "cases": list(verification_queue()),
            "suspended": list(
                PractitionerProfile.objects.filter(status=PractitionerProfile.Status.SUSPENDED)
                .select_related("user")
                .order_by("display_name")
            ),
        },
    )


def case_view(request, pk: int):
    _staff_only(request)
    case = get_object_or_404(VerificationCase.objects.select_related("practitioner__user"), pk=pk)
    practitioner = case.practitioner
    return TemplateResponse(
        request,
        "practitioners/admin/case.html",
        {
            "case": case,
            "practitioner": practitioner,
            "country_name": countries.name(practitioner.country) or practitioner.country,
            "credentials": list(practitioner.credentials.order_by("kind", "expires_on")),
            "modalities": list(practitioner.modalities.all()),
            "history": list(practitioner.status_changes.select_related("changed_by")),
            "approve_form": ReasonForm(prefix="approve", required=False),
            "reject_form": ReasonForm(prefix="reject"),
            "suspend_form": ReasonForm(prefix="suspend"),
        },
    )


def _decide(request, pk: int, prefix: str, action, success: str):
    _staff_only(request)
    case = get_object_or_404(VerificationCase.objects.select_related("practitioner"), pk=pk)
    form = ReasonForm(request.POST, prefix=prefix, required=prefix != "approve")
    if not form.is_valid():
        messages.error(request, "Give a reason.")
        return redirect("practitioner_verification_case", pk)
    try:
        action(case=case, decided_by=request.user, reason=form.cleaned_data["reason"])
    except PractitionerError as error:
        messages.error(request, error.detail)
        return redirect("practitioner_verification_case", pk)
    messages.success(request, success.format(name=case.practitioner.display_name))
    return redirect("practitioner_verification_queue")


@require_POST
def approve_view(request, pk: int):
    return _decide(
        request,
        pk,
        "approve",
        lambda *, case, decided_by, reason: verification_approve(
            case=case, decided_by=decided_by, override_reason=reason
        ),
        "{name} is verified.",
    )


@require_POST
def reject_view(request, pk: int):
    return _decide(
        request,
        pk,
        "reject",
        lambda *, case, decided_by, reason: verification_reject(
            case=case, decided_by=decided_by, reason=reason
        ),
        "{name} is sent back with your reason.",
    )


@require_POST
def status_view(request, practitioner_id: int, action: str):
    _staff_only(request)
    practitioner = get_object_or_404(PractitionerProfile, pk=practitioner_id)
    form = ReasonForm(request.POST, prefix=action)
    service = {"suspend": practitioner_suspend, "reinstate": practitioner_reinstate}[action]
    if not form.is_valid():
        messages.error(request, "Give a reason.")
    else:
        try:
            service(
                practitioner=practitioner,
                changed_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except PractitionerError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, f"{practitioner.display_name}: {action} done.")
    return redirect("practitioner_verification_queue")


@require_GET
def export_view(request):
    """The queue as CSV (the stage filter applies), streamed in chunks."""
    _staff_only(request)
    stage = _stage_param(request)
    response = StreamingHttpResponse(
        practitioners_csv_rows(stage=stage), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    name = f"practitioners-{stage or 'all'}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def invitations_view(request):
    """Invite someone by email to apply (the email leaves after the commit), and the
    latest invitations with whether they were used or have expired."""
    _staff_only(request)
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            invitation, _token = practitioner_invitation_create(
                email=data["email"],
                name=data["name"],
                modalities=list(data["modalities"]),
                note=data["note"],
                sent_by=request.user,
            )
            messages.success(request, f"The invitation is on its way to {invitation.email}.")
            return redirect("practitioner_invitations")
    else:
        form = InvitationForm()
    now = timezone.now()
    invitations = list(
        PractitionerInvitation.objects.select_related("sent_by", "accepted_by").order_by(
            "-created_at", "-pk"
        )[:INVITATIONS_SHOWN]
    )
    return TemplateResponse(
        request,
        "practitioners/admin/invitations.html",
        {
            "form": form,
            "invitations": [
                {
                    "invitation": invitation,
                    "state": "Used"
                    if invitation.accepted_at
                    else ("Expired" if invitation.expires_at <= now else "Open"),
                }
                for invitation in invitations
            ],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@hooks.register("register_admin_urls")
def register_verification_urls():
    return [
        path(
            "practitioner-verification/export.csv",
            export_view,
            name="practitioner_queue_export",
        ),
        path(
            "practitioner-verification/invitations/",
            invitations_view,
            name="practitioner_invitations",
        ),
        path("practitioner-verification/", queue_view, name="practitioner_verification_queue"),
        path(
            "practitioner-verification/<int:pk>/",
            case_view,
            name="practitioner_verification_case",
        ),
        path(
            "practitioner-verification/<int:pk>/approve/",
            approve_view,
            name="practitioner_verification_approve",
        ),
        path(
            "practitioner-verification/<int:pk>/reject/",
            reject_view,
            name="practitioner_verification_reject",
        ),
        path(
            "practitioner-verification/practitioners/<int:practitioner_id>/suspend/",
            status_view,
            {"action": "suspend"},
            name="practitioner_suspend",
        ),
        path(
            "practitioner-verification/practitioners/<int:practitioner_id>/reinstate/",
            status_view,
            {"action": "reinstate"},
            name="practitioner_reinstate",
        ),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff


@hooks.register("register_admin_menu_item")
def register_verification_menu_item():
    return StaffMenuItem(
        "Practitioner verification",
        reverse("practitioner_verification_queue"),
        icon_name="user",
        order=250,
    )
