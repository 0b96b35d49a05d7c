"""The audit log screen for staff in the Wagtail admin (privacy.audit_admin)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from privacy import audit_admin


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff


@hooks.register("register_admin_urls")
def register_audit_urls():
    return [
        path("audit-log/", audit_admin.audit_log_view, name="privacy_audit_log"),
        path("audit-log/export/", audit_admin.audit_log_csv_view, name="privacy_audit_log_csv"),
    ]


@hooks.register("register_admin_menu_item")
def register_audit_menu_item():
    return StaffMenuItem("Audit log", reverse("privacy_audit_log"), icon_name="list-ul", order=9100)
