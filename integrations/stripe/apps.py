from django.apps import AppConfig


class StripeLocalConfig(AppConfig):
    """The offline Stripe's storage, hosted pages and `stripe_local` command. The live
    adapter needs none of it; the app only has to be installed for the local one."""

    name = "integrations.stripe"
    label = "stripe_local"
    verbose_name = "Stripe (offline)"
    default_auto_field = "django.db.models.BigAutoField"
