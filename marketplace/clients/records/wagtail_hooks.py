"""Emergency ("break-glass") access for staff in the Wagtail admin: choose a record by
its number, state the reason, and read it for BREAK_GLASS_MINUTES (the client is emailed
the reason; every page read is audited). Staff only (is_staff). No clinical model is
registered with the Django or Wagtail admin: this screen shows no record content, it
opens the record's own pages under the grant."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from marketplace.clients.records.errors import BreakGlassRefused
from marketplace.clients.records.models import BreakGlassGrant
from marketplace.clients.records.services import (
    BREAK_GLASS_REASON_MAX,
    BREAK_GLASS_REASON_MIN,
    break_glass_open,
)


class BreakGlassForm(forms.Form):
    record = forms.IntegerField(
        label="Care record number",
        min_value=1,
        max_value=2**63 - 1,
        help_text="The number in the record's address (/dashboard/practice/clients/<number>/).",
    )
    reason = forms.CharField(
        label="Why you need to read this record",
        min_length=BREAK_GLASS_REASON_MIN,
        max_length=BREAK_GLASS_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The client is emailed this reason, word for word.",
    )


def _staff_only(request) -> None:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def break_glass_view(request):
    _staff_only(request)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_open(
                staff=request.user,
                record_id=form.cleaned_data["record"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except BreakGlassRefused as error:
            form.add_error(None, error.detail)
        else:
            messages.warning(
                request,
                f"Emergency access to record {grant.record_id} is open until "
                f"{timezone.localtime(grant.expires_at):%H:%M}. The client has been told.",
            )
            return redirect("care-practitioner-record", record_id=grant.record_id)
    active = BreakGlassGrant.objects.filter(
        staff=request.user, expires_at__gt=timezone.now()
    ).order_by("-started_at")
    return TemplateResponse(
        request,
        "care_records/admin/break_glass.html",
        {"form": form, "active": list(active), "minutes": settings.BREAK_GLASS_MINUTES},
        status=400 if form.is_bound and form.errors else 200,
    )


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff


@hooks.register("register_admin_urls")
def register_break_glass_urls():
    return [path("care-records/emergency-access/", break_glass_view, name="care_break_glass")]


@hooks.register("register_admin_menu_item")
def register_break_glass_menu_item():
    return StaffMenuItem(
        "Emergency record access", reverse("care_break_glass"), icon_name="warning", order=9110
    )
