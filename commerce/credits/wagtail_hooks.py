"""The credit ledger in the staff portal (Wagtail admin), under Reports."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from commerce.credits.admin_views import LEDGER_PERMISSION, CreditLedgerView


class CreditLedgerMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(LEDGER_PERMISSION)


@hooks.register("register_admin_urls")
def register_credit_ledger_url():
    return [path("credits/ledger/", CreditLedgerView.as_view(), name="credits_admin_ledger")]


@hooks.register("register_reports_menu_item")
def register_credit_ledger_menu_item():
    return CreditLedgerMenuItem(
        "Credit ledger",
        reverse("credits_admin_ledger"),
        name="credit-ledger",
        icon_name="list-ul",
        order=1300,
    )
