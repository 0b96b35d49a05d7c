from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "commerce.credits"
    label = "credits"
    verbose_name = "Credits"
