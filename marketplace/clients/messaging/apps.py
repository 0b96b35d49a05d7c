from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "marketplace.clients.messaging"
    label = "messaging"
    verbose_name = "Secure messages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Its emails go through the notification service (decision 0038).
        from marketplace.clients.messaging.notifications import register_types

        register_types()
        from marketplace.clients.messaging import registrations

        registrations.register()
