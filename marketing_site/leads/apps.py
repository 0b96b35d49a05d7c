from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "marketing_site.leads"
    label = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        # allauth's user_signed_up hook links the lead and sends "Signed Up".
        from marketing_site.leads import signals  # noqa: F401
