"""Demo data for onboarding (idempotent): a new practitioner account with a draft profile,
newpractitioner@aeyia.local, to walk the wizard at /dashboard/practice/onboarding/ and
submit; staff@aeyia.local then approves it in the Wagtail admin's verification queue.
Identity rules of the offline KYC adapter: a document number starting FAIL fails,
REVIEW asks for a manual review, anything else passes."""

from django.db import transaction

from accounts.models import User
from accounts.services import user_create
from marketplace.practitioners.services import practitioner_profile_ensure

DEMO_NEW_PRACTITIONER_EMAIL = "newpractitioner@aeyia.local"


@transaction.atomic
def seed_onboarding_demo(*, password: str) -> list[str]:
    """Creates the account and its draft profile if missing; leaves them alone otherwise.
    Returns lines worth printing for the person trying the site."""
    user = User.objects.filter(email=DEMO_NEW_PRACTITIONER_EMAIL).first()
    if user is None:
        user = user_create(
            email=DEMO_NEW_PRACTITIONER_EMAIL,
            password=password,
            first_name="Noor",
            last_name="Newman",
            is_email_verified=True,
        )
    practitioner_profile_ensure(user=user, display_name="Noor Newman")
    return [
        f"Practitioner onboarding: sign in as {DEMO_NEW_PRACTITIONER_EMAIL} and open "
        "/dashboard/practice/onboarding/; staff approve at /cms/practitioner-verification/ "
        "(identity numbers starting FAIL fail the offline check, REVIEW need a review).",
    ]
