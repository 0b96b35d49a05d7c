from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "commerce.memberships"
    label = "memberships"
    verbose_name = "Memberships"

    def ready(self) -> None:
        from commerce.memberships.exports import register_exports

        register_exports()
        # Registers the Stripe Billing event handlers with the webhook registry.
        from commerce.memberships import handlers  # noqa: F401
        from privacy.registry import holds_nothing_personal

        holds_nothing_personal(
            models=("memberships.Membership", "memberships.MembershipCheckout"),
            reason="subscription state and Stripe ids kept for the books",
        )
        self._register_announcement_audience()
        # Membership notices go through the notification service (decision 0038).
        from commerce.memberships.services import register_notification_types

        register_notification_types()

    def _register_announcement_audience(self) -> None:
        """Staff announcements can go to the current members of one plan."""
        from django import forms
        from django.contrib.auth import get_user_model

        from commerce.memberships.models import Membership, MembershipPlan
        from notifications.segments import segment_register

        class PlanChoice(forms.Form):
            plan = forms.ModelChoiceField(queryset=MembershipPlan.objects.order_by("name"))

        def members(params):
            return get_user_model().objects.filter(
                membership__plan_id=params["plan"],
                membership__status__in=[Membership.Status.ACTIVE, Membership.Status.GRACE],
            )

        segment_register("membership_plan", "Members of a plan", members, PlanChoice)
