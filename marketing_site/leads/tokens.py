"""The double opt-in link: a signed, expiring token naming the lead and the email it
was sent to (a lead whose email changed cannot be confirmed by an old link)."""

from django.core import signing
from django.core.exceptions import ValidationError

from marketing_site.leads.models import Lead

CONFIRMATION_SALT = "leads.confirmation"
CONFIRMATION_MAX_AGE = 14 * 24 * 3600


def confirmation_token_for(lead: Lead) -> str:
    return signing.dumps({"l": str(lead.public_id), "e": lead.email}, salt=CONFIRMATION_SALT)


def lead_for_confirmation_token(token: str) -> Lead | None:
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return Lead.objects.filter(public_id=data.get("l"), email__iexact=data.get("e")).first()
    except (ValueError, TypeError, ValidationError):
        return None
