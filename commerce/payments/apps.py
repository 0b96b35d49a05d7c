from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "commerce.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from commerce.payments.exports import register_exports

        register_exports()
        # Registers the Stripe event handlers with the webhook registry.
        from commerce.payments import handlers  # noqa: F401
        from commerce.payments.erasure import stripe_customers_erase
        from privacy.registry import eraser_register, holds_nothing_personal

        eraser_register(
            name="stripe_customers",
            eraser=stripe_customers_erase,
            models=("payments.StripeCustomer",),
        )
        holds_nothing_personal(
            models=(
                "payments.ConnectedAccount",
                "payments.Payment",
                "payments.Refund",
            ),
            reason="payments, refunds and Stripe ids kept for the books (legal retention)",
        )
