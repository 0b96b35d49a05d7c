"""Staff edit membership plans in the Wagtail admin."""

from typing import ClassVar

from django import forms
from django.forms import modelform_factory
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from commerce.memberships.models import MembershipPlan
from money.admin_ui import money_column
from money.forms import MoneyField, MoneyModelFormMixin


class MembershipPlanForm(MoneyModelFormMixin, forms.ModelForm):
    price = MoneyField(help_text="Per interval, in the plan's currency, e.g. 12.00; 0 is free.")
    money_fields: ClassVar[dict[str, str]] = {"price": "currency"}


class MembershipPlanViewSet(ModelViewSet):
    model = MembershipPlan
    icon = "tag"
    menu_label = "Membership plans"
    add_to_admin_menu = True
    menu_order = 300
    list_display = [
        "name",
        "slug",
        money_column("price"),
        "interval",
        "monthly_credit_allowance",
        "is_active",
    ]
    form_fields = [
        "name",
        "slug",
        "tagline",
        "features",
        "price",
        "currency",
        "interval",
        "monthly_credit_allowance",
        "member_discount_percent",
        "access_level",
        "is_active",
        "sort_order",
    ]

    def get_form_class(self, for_update=False):
        return modelform_factory(self.model, form=MembershipPlanForm, fields=self.form_fields)


@hooks.register("register_admin_viewset")
def register_membership_plans():
    return MembershipPlanViewSet("membership_plans")
