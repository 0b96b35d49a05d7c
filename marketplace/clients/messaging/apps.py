from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "marketplace.clients.messaging"
    label = "messaging"
    verbose_name = "Secure messages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.clients.messaging import registrations

        registrations.register()
