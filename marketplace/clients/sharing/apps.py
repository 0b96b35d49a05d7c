from django.apps import AppConfig


class RecordSharingConfig(AppConfig):
    name = "marketplace.clients.sharing"
    label = "record_sharing"
    verbose_name = "Record sharing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.clients.sharing import registrations

        registrations.register()
