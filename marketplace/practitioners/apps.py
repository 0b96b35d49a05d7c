from django.apps import AppConfig


class PractitionersConfig(AppConfig):
    name = "marketplace.practitioners"
    label = "practitioners"
    verbose_name = "Practitioners"
