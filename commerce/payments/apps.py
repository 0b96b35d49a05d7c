from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "commerce.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Registers the Stripe event handlers with the webhook registry.
        from commerce.payments import handlers  # noqa: F401
