"""The links in our emails to a lead: signed tokens naming the lead and the email they
were sent to (a lead whose email changed cannot be confirmed or unsubscribed by an old
link). One scheme, a salt per purpose, so a confirmation token is never accepted as an
unsubscribe token or the other way round."""

from django.core import signing
from django.core.exceptions import ValidationError

from marketing_site.leads.models import Lead

CONFIRMATION_SALT = "leads.confirmation"
CONFIRMATION_MAX_AGE = 14 * 24 * 3600

# An unsubscribe link must keep working long after the email was sent (people find old
# emails); a year is well past what the law asks for (30 days in CAN-SPAM).
UNSUBSCRIBE_SALT = "leads.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600


def _token_for(lead: Lead, *, salt: str) -> str:
    return signing.dumps({"l": str(lead.public_id), "e": lead.email}, salt=salt)


def _lead_for_token(token: str, *, salt: str, max_age: int) -> Lead | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return Lead.objects.filter(public_id=data.get("l"), email__iexact=data.get("e")).first()
    except (ValueError, TypeError, ValidationError):
        return None


def confirmation_token_for(lead: Lead) -> str:
    return _token_for(lead, salt=CONFIRMATION_SALT)


def lead_for_confirmation_token(token: str) -> Lead | None:
    return _lead_for_token(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)


def unsubscribe_token_for(lead: Lead) -> str:
    return _token_for(lead, salt=UNSUBSCRIBE_SALT)


def lead_for_unsubscribe_token(token: str) -> Lead | None:
    return _lead_for_token(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
