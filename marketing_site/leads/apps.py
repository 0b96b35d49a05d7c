from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "marketing_site.leads"
    label = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        # The double opt-in email goes through the notification service (decision 0038).
        from marketing_site.leads.notifications import register_types

        register_types()
        from marketing_site.leads.exports import register_exports

        register_exports()
        # allauth's user_signed_up hook links the lead and sends "Signed Up".
        from accounts.encryption import field_keys_rotated
        from marketing_site.leads import signals  # noqa: F401
        from marketing_site.leads.services import (
            FORM_SUBMISSIONS_ERASER,
            LEADS_ERASER,
            form_submissions_erase,
            lead_form_submissions_rehash,
            leads_erase,
        )
        from privacy.registry import eraser_register

        eraser_register(name=LEADS_ERASER, eraser=leads_erase, models=("leads.Lead",))
        # Submissions carry no user key; they are found by the keyed hash of the email
        # typed into them (LeadFormSubmissionEmail).
        eraser_register(
            name=FORM_SUBMISSIONS_ERASER,
            eraser=form_submissions_erase,
            models=("leads.LeadFormSubmission", "leads.LeadFormSubmissionEmail"),
        )
        # Key rotation re-encrypts form_data; the email hashes are recomputed with it.
        field_keys_rotated.connect(
            lead_form_submissions_rehash, dispatch_uid="leads.lead_form_submissions_rehash"
        )
