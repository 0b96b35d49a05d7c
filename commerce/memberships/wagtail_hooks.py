"""Staff edit membership plans in the Wagtail admin."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from commerce.memberships.models import MembershipPlan


class MembershipPlanViewSet(ModelViewSet):
    model = MembershipPlan
    icon = "tag"
    menu_label = "Membership plans"
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["name", "slug", "price", "interval", "monthly_credit_allowance", "is_active"]
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


@hooks.register("register_admin_viewset")
def register_membership_plans():
    return MembershipPlanViewSet("membership_plans")
