from django.apps import AppConfig


class ClientDocumentsConfig(AppConfig):
    name = "marketplace.clients.documents"
    label = "client_documents"
    verbose_name = "Client documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.clients.documents import registrations

        registrations.register_all()
