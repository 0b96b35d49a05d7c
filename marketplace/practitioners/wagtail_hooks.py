"""Staff screens in the Wagtail admin: the verification queue (open cases, oldest first),
one case with the practitioner's profile, credentials (documents through the checked
download view) and identity-check result, with approve / reject-with-reason, and
suspend / reinstate with a reason. Staff only (is_staff); editors do not see it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from django_countries import countries
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from marketplace.practitioners.errors import PractitionerError
from marketplace.practitioners.forms import ReasonForm
from marketplace.practitioners.models import PractitionerProfile, VerificationCase
from marketplace.practitioners.selectors import verification_queue
from marketplace.practitioners.services import (
    practitioner_reinstate,
    practitioner_suspend,
    verification_approve,
    verification_reject,
)


def _staff_only(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


def queue_view(request):
    _staff_only(request)
    return TemplateResponse(
        request,
        "practitioners/admin/queue.html",
        {
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


@hooks.register("register_admin_urls")
def register_verification_urls():
    return [
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
