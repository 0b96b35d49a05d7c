from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "marketplace.clients"
    label = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from marketplace.clients.exports import register_exports

        register_exports()
        from privacy.registry import holds_nothing_personal

        holds_nothing_personal(
            models=("clients.ClientProfile",),
            reason="the client role's row: the user key and a creation time",
        )
