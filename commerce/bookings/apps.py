from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "commerce.bookings"
    label = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        # Registers the booking handlers with the Stripe webhook registry.
        from commerce.bookings import booking_handlers  # noqa: F401
