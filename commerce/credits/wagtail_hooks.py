"""The credit ledger in the staff portal (Wagtail admin), under Reports."""

from typing import ClassVar

from django import forms
from django.forms import modelform_factory
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from commerce.credits.admin_views import LEDGER_PERMISSION, CreditLedgerView
from commerce.credits.models import CreditPack
from money.admin_ui import money_column
from money.forms import MoneyField, MoneyModelFormMixin


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


class CreditPackForm(MoneyModelFormMixin, forms.ModelForm):
    price = MoneyField(allow_zero=False, help_text="In the pack's currency, e.g. 45.00.")
    money_fields: ClassVar[dict[str, str]] = {"price": "currency"}


class CreditPackViewSet(ModelViewSet):
    """Staff edit the credit packs on sale, priced in the currency's main unit."""

    model = CreditPack
    icon = "tag"
    menu_label = "Credit packs"
    add_to_admin_menu = True
    menu_order = 305
    list_display = [
        "name",
        "credit_count",
        money_column("price"),
        "validity_days",
        "is_active",
    ]
    form_fields = [
        "name",
        "credit_count",
        "price",
        "currency",
        "validity_days",
        "is_active",
        "sort_order",
    ]

    def get_form_class(self, for_update=False):
        return modelform_factory(self.model, form=CreditPackForm, fields=self.form_fields)


@hooks.register("register_admin_viewset")
def register_credit_packs():
    return CreditPackViewSet("credit_packs")
