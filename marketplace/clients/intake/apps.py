from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "marketplace.clients.intake"
    label = "intake"
    verbose_name = "Intake forms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Its emails go through the notification service (decision 0038).
        from marketplace.clients.intake.notifications import register_types

        register_types()
        from marketplace.clients.intake import registrations

        registrations.register()
