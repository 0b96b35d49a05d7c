"""Staff screen: Contentful sync state, token, counts, errors, recent runs and "Sync now".
Staff hold view_contentfulsyncstate (see) and change_contentfulsyncstate (sync now)
through the Staff group; anyone else gets Wagtail's 403."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.contentful_sync.selectors import contentful_sync_overview
from cms.contentful_sync.services import contentful_sync_request

VIEW_PERMISSION = "contentful_sync.view_contentfulsyncstate"
SYNC_PERMISSION = "contentful_sync.change_contentfulsyncstate"
TOKEN_SHOWN = 24


def status_view(request):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    overview = contentful_sync_overview()
    token = overview.state.next_token
    return TemplateResponse(
        request,
        "contentful_sync/admin/status.html",
        {
            "page_title": "Contentful sync",
            "header_icon": "resubmit",
            "overview": overview,
            "state": overview.state,
            "token_preview": (token[:TOKEN_SHOWN] + "…") if len(token) > TOKEN_SHOWN else token,
            "can_sync": request.user.has_perm(SYNC_PERMISSION),
        },
    )


@require_POST
def sync_now_view(request):
    if not request.user.has_perm(SYNC_PERMISSION):
        raise PermissionDenied
    full = request.POST.get("full") == "1"
    if contentful_sync_request(trigger="staff-full" if full else "staff", full=full):
        messages.success(request, "Sync queued." if not full else "Full sync queued.")
    else:
        messages.info(request, "A sync is already queued; it will pick up the latest changes.")
    return redirect(reverse("contentful_sync_status"))


@hooks.register("register_admin_urls")
def register_contentful_sync_urls():
    return [
        path("contentful-sync/", status_view, name="contentful_sync_status"),
        path("contentful-sync/sync/", sync_now_view, name="contentful_sync_now"),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_settings_menu_item")
def register_contentful_sync_menu_item():
    return StaffMenuItem(
        "Contentful sync", reverse("contentful_sync_status"), icon_name="resubmit", order=900
    )
