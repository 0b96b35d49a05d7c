from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "commerce.bookings"
    label = "bookings"
    verbose_name = "Bookings"
