from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "marketplace.clients.consent"
    label = "consent"
    verbose_name = "Consent"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.clients.consent import registrations

        registrations.register()
