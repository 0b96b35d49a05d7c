from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "marketplace.clients.intake"
    label = "intake"
    verbose_name = "Intake forms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.clients.intake import registrations

        registrations.register()
