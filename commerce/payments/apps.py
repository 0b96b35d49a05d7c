from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "commerce.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Registers the Stripe event handlers with the webhook registry.
        from commerce.payments import handlers  # noqa: F401
        from privacy.registry import holds_nothing_personal

        holds_nothing_personal(
            models=(
                "payments.StripeCustomer",
                "payments.ConnectedAccount",
                "payments.Payment",
                "payments.Refund",
            ),
            reason="payments, refunds and Stripe ids kept for the books (legal retention)",
        )
