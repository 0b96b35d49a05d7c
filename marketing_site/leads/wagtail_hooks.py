"""Leads in the staff portal: a Leads menu (list, funnel report, erase a person) and the
permissions editors' groups can be given."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from marketing_site.leads.admin_views import (
    FUNNEL_PERMISSION,
    VIEW_LEADS_PERMISSION,
    ErasePersonView,
    FunnelReportView,
    LeadIndexView,
    UnsubscribeLeadView,
)


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, staff_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission
        self.staff_only = staff_only

    def is_shown(self, request):
        user = request.user
        return user.has_perm(self.permission) and (user.is_staff or not self.staff_only)


@hooks.register("register_admin_urls")
def register_leads_urls():
    return [
        path("leads/", LeadIndexView.as_view(), name="leads_admin_index"),
        path("leads/funnel/", FunnelReportView.as_view(), name="leads_admin_funnel"),
        path("leads/erase/", ErasePersonView.as_view(), name="leads_admin_erase"),
        path(
            "leads/<uuid:public_id>/unsubscribe/",
            UnsubscribeLeadView.as_view(),
            name="leads_admin_unsubscribe",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_leads_menu_item():
    return PermissionMenuItem(
        "Leads",
        reverse("leads_admin_index"),
        name="leads",
        icon_name="mail",
        order=320,
        permission=VIEW_LEADS_PERMISSION,
    )


@hooks.register("register_reports_menu_item")
def register_funnel_menu_item():
    return PermissionMenuItem(
        "Lead funnel",
        reverse("leads_admin_funnel"),
        name="lead-funnel",
        icon_name="list-ul",
        order=1400,
        permission=FUNNEL_PERMISSION,
    )


@hooks.register("register_permissions")
def register_leads_permissions():
    return Permission.objects.filter(
        content_type__app_label="leads",
        codename__in=["view_lead", "view_funnel", "erase_person"],
    )
