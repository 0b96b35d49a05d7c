from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "marketing_site.leads"
    label = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        # allauth's user_signed_up hook links the lead and sends "Signed Up".
        from marketing_site.leads import signals  # noqa: F401
        from marketing_site.leads.services import (
            FORM_SUBMISSIONS_ERASER,
            LEADS_ERASER,
            form_submissions_erase,
            leads_erase,
        )
        from privacy.registry import eraser_register

        eraser_register(name=LEADS_ERASER, eraser=leads_erase, models=("leads.Lead",))
        # Submissions carry no user key; they are found by the email typed into them.
        eraser_register(name=FORM_SUBMISSIONS_ERASER, eraser=form_submissions_erase, models=())
