from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "commerce.partners"
    label = "partners"
    verbose_name = "Society partners"
