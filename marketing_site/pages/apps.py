from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "marketing_site.pages"
    label = "pages"
    verbose_name = "Marketing pages"

    def ready(self) -> None:
        from marketing_site.pages import signals

        signals.connect()
