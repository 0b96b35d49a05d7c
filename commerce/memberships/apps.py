from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "commerce.memberships"
    label = "memberships"
    verbose_name = "Memberships"

    def ready(self) -> None:
        # Registers the Stripe Billing event handlers with the webhook registry.
        from commerce.memberships import handlers  # noqa: F401
