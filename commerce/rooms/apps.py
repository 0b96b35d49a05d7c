from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "commerce.rooms"
    label = "rooms"
    verbose_name = "Session rooms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Erasure, export and retention of what a room holds (privacy imports no domain app).
        from commerce.rooms import registrations

        registrations.register_all()
