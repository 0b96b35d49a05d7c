from django.apps import AppConfig


class ClinicalNotesConfig(AppConfig):
    name = "marketplace.clients.notes"
    label = "clinical_notes"
    verbose_name = "Session notes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.clients.notes import registrations

        registrations.register()
