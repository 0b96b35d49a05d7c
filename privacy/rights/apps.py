from django.apps import AppConfig


class PrivacyRightsConfig(AppConfig):
    name = "privacy.rights"
    label = "privacy_rights"
    verbose_name = "Privacy rights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from privacy.rights import registrations

        registrations.register()
