from django.apps import AppConfig


class WebPushConfig(AppConfig):
    name = "notifications.push"
    label = "webpush"
    verbose_name = "Web push"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.push import registrations

        registrations.register()
