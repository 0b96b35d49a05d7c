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
