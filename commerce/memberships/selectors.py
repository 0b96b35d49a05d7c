"""Reads about memberships that other apps need (access levels, member prices)."""

from django.db.models import QuerySet

from accounts.models import User
from commerce.memberships.models import AccessLevel, Membership, MembershipPlan


def membership_plans_active() -> QuerySet[MembershipPlan]:
    return MembershipPlan.objects.filter(is_active=True).order_by("sort_order", "price")


def membership_current(*, user: User) -> Membership | None:
    """The person's membership while it gives access (active or in its grace period)."""
    if not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("plan").filter(user=user).first()
    if membership is None or not membership.is_current:
        return None
    return membership


def access_level_for(*, user: User) -> int:
    """The content access level a person has: 0 anonymous, then AccessLevel values."""
    if not user.is_authenticated:
        return 0
    membership = membership_current(user=user)
    return membership.plan.access_level if membership else AccessLevel.FREE


def member_discount_percent_for(*, user: User) -> int:
    membership = membership_current(user=user)
    return membership.plan.member_discount_percent if membership else 0
