from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "commerce.bookings"
    label = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        from commerce.bookings.exports import register_exports

        register_exports()
        # Registers the booking handlers with the Stripe webhook registry.
        from commerce.bookings import booking_handlers  # noqa: F401

        # The pair's sessions on their care record's page (marketplace cannot import us).
        from commerce.bookings.care_record_panel import register as register_sessions_panel

        register_sessions_panel()
        from commerce.bookings.services.erasure import bookings_erase
        from privacy.registry import eraser_register

        eraser_register(
            name="bookings",
            eraser=bookings_erase,
            models=("bookings.Booking",),
        )
        # Intake (a layer below) reads bookings through this source.
        from commerce.bookings import intake_source

        intake_source.register()
        # The sessions session notes are written about (marketplace cannot import us).
        from commerce.bookings.care_sessions import register as register_care_sessions

        register_care_sessions()
        # Every booking notice and reminder goes through the notification service.
        from commerce.bookings.notifications import register_types

        register_types()
