from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "cms.library"
    label = "library"
    verbose_name = "Library"

    def ready(self) -> None:
        from cms.library.exports import register_exports

        register_exports()
        from cms.library import signal_handlers

        signal_handlers.connect()

        from privacy.registry import holds_nothing_personal

        holds_nothing_personal(
            models=("library.ContentPurchase",),
            reason="which item an (anonymised) account bought, kept with its payment",
        )
