from django.apps import AppConfig


class ConfigAppConfig(AppConfig):
    """Project-level checks and management commands."""

    name = "config"
    label = "aeyia_config"
    verbose_name = "Aeyia project"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the deploy checks)
