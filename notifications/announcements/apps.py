from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "notifications.announcements"
    label = "announcements"
    verbose_name = "Announcements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.announcements import registrations

        registrations.register()
