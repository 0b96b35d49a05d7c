"""allauth hook: a new account links its lead (same email, or the lead this browser
submitted) and is counted as a sign-up in the funnel."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from marketing_site.leads.attribution import lead_id_from_request
from marketing_site.leads.services import lead_link_signup


@receiver(user_signed_up, dispatch_uid="leads.link_signup")
def link_lead_on_signup(sender, request, user, **kwargs):
    lead_public_id = lead_id_from_request(request) if request is not None else None
    lead_link_signup(user=user, lead_public_id=lead_public_id)
