from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "marketplace.clients"
    label = "clients"
    verbose_name = "Clients"
