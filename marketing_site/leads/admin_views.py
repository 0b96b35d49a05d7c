"""Staff screens in the Wagtail admin: leads (search, Klaviyo failures), the funnel
report with its chart, and erasing a person."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from marketing_site.leads.chart import funnel_chart, sources_chart
from marketing_site.leads.models import Lead, UnsubscribeReason
from marketing_site.leads.selectors import (
    klaviyo_failures_recent,
    lead_funnel,
    leads_search,
    person_footprint,
)
from marketing_site.leads.services import lead_unsubscribe, person_erase

VIEW_LEADS_PERMISSION = "leads.view_lead"
FUNNEL_PERMISSION = "leads.view_funnel"
ERASE_PERMISSION = "leads.erase_person"
PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}


def _may_act_for_people(user) -> bool:
    """Staff with the erasure right also withdraw a person's consent for them."""
    return user.is_staff and user.has_perm(ERASE_PERMISSION)


class _PermissionView(WagtailAdminTemplateMixin, TemplateView):
    permission = ""
    staff_only = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.has_perm(self.permission) or (self.staff_only and not user.is_staff):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


class LeadIndexView(_PermissionView):
    template_name = "leads/admin/index.html"
    page_title = "Leads"
    header_icon = "mail"
    permission = VIEW_LEADS_PERMISSION

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:254]
        context.update(
            query=query,
            leads=leads_search(query=query),
            failures=klaviyo_failures_recent(),
            can_erase=_may_act_for_people(self.request.user),
            can_see_funnel=self.request.user.has_perm(FUNNEL_PERMISSION),
        )
        return context


class FunnelReportView(_PermissionView):
    template_name = "leads/admin/funnel.html"
    page_title = "Lead funnel"
    header_icon = "list-ul"
    permission = FUNNEL_PERMISSION

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.request.GET.get("period", "90")
        if period not in PERIODS:
            period = "90"
        days = PERIODS[period]
        since = timezone.now() - timedelta(days=days) if days else None
        funnel = lead_funnel(since=since)
        context.update(
            period=period,
            periods=[
                ("30", "Last 30 days"),
                ("90", "Last 90 days"),
                ("365", "Last year"),
                ("all", "All time"),
            ],
            funnel=funnel,
            funnel_chart=funnel_chart(funnel),
            sources_chart=sources_chart(funnel),
        )
        return context


class EraseForm(forms.Form):
    email = forms.EmailField(label="Email address of the person to erase", max_length=254)


class ErasePersonView(_PermissionView):
    """Two steps: look up what the email touches, then erase on an explicit confirm."""

    template_name = "leads/admin/erase.html"
    page_title = "Erase a person"
    header_icon = "bin"
    permission = ERASE_PERMISSION
    staff_only = True

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=EraseForm()))

    def post(self, request, *args, **kwargs):
        form = EraseForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        email = form.cleaned_data["email"].strip().lower()
        if request.POST.get("confirm") != "yes":
            return self.render_to_response(
                self.get_context_data(
                    form=form, email=email, footprint=person_footprint(email=email)
                )
            )
        result = person_erase(email=email, requested_by=request.user)
        messages.success(
            request,
            f"Erased {email}: {result.leads_deleted} lead(s), "
            f"{result.submissions_deleted} form submission(s)"
            + (", account anonymised" if result.user_anonymised else "")
            + ". Klaviyo deletion requested.",
        )
        return redirect(reverse("leads_admin_index"))


class UnsubscribeLeadView(_PermissionView):
    """Staff unsubscribe someone who asked by phone or email (POST only): the same
    withdrawal as the person's own link, recorded as "by staff", Klaviyo told after commit."""

    http_method_names = ["post"]
    permission = ERASE_PERMISSION
    staff_only = True

    def post(self, request, public_id, *args, **kwargs):
        lead = get_object_or_404(Lead, public_id=public_id)
        if lead_unsubscribe(lead=lead, reason=UnsubscribeReason.STAFF):
            messages.success(request, f"{lead.email} is unsubscribed from marketing email.")
        else:
            messages.info(request, f"{lead.email} was already unsubscribed.")
        return redirect(f"{reverse('leads_admin_index')}?{urlencode({'q': lead.email})}")
