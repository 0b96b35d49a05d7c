"""Staff confirm (or cancel) the erasure requests clients make at their account, in the
Wagtail admin: Privacy → Erasure requests. Only staff with the erasure right."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from privacy.rights import services
from privacy.rights.models import ErasureRequest

# The erasure right staff already hold for the "Erase a person" screen.
ERASE_PERMISSION = "leads.erase_person"


def may_erase(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(ERASE_PERMISSION))


class ErasureRequestsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "privacy_rights/admin/erasure_requests.html"
    page_title = "Erasure requests"
    header_icon = "bin"

    def dispatch(self, request, *args, **kwargs):
        if not may_erase(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending"] = ErasureRequest.objects.filter(
            status=ErasureRequest.Status.PENDING
        ).select_related("user")[:200]
        context["recent"] = ErasureRequest.objects.exclude(status=ErasureRequest.Status.PENDING)[
            :50
        ]
        return context

    def post(self, request, *args, **kwargs):
        erasure_request = get_object_or_404(ErasureRequest, pk=request.POST.get("request_id") or 0)
        decision = request.POST.get("decision")
        if decision == "confirm":
            report = services.erasure_request_confirm(
                erasure_request=erasure_request, by=request.user
            )
            if report is None:
                messages.info(request, "That request was already decided.")
            else:
                messages.success(
                    request,
                    f"Erasure request {erasure_request.pk} done: the account is anonymised "
                    "everywhere; Klaviyo and Stripe were asked to remove the person.",
                )
        elif decision == "cancel":
            services.erasure_request_cancel(erasure_request=erasure_request, by=request.user)
            messages.info(request, f"Erasure request {erasure_request.pk} cancelled.")
        else:
            messages.error(request, "Choose to confirm or cancel the request.")
        return redirect(reverse("privacy_erasure_requests"))
