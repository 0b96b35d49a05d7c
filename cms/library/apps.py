from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "cms.library"
    label = "library"
    verbose_name = "Library"

    def ready(self) -> None:
        from cms.library import signal_handlers

        signal_handlers.connect()
