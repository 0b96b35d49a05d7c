from django.apps import AppConfig


class MoneyConfig(AppConfig):
    """Installed only for its `{% load money %}` template library; it has no models."""

    name = "money"
    label = "money"
    verbose_name = "Money"
