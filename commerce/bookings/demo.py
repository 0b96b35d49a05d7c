"""Demo practitioners for the embedded default (idempotent): modalities, the demo
practitioner (practitioner@aeyia.local) made active with services and weekly hours, and
two more verified practitioners whose accounts are never used to sign in."""

from datetime import time

from django.db import transaction

from accounts.models import User
from commerce.bookings.models import AvailabilityRule
from marketplace.practitioners.models import Modality, PractitionerProfile, Service
from marketplace.practitioners.services import practitioner_profile_ensure

DEMO_PRACTITIONER_EMAIL = "practitioner@aeyia.local"

MODALITIES = [
    ("psychotherapy", "Psychotherapy", "Talking therapy for lasting change."),
    ("life-coaching", "Life coaching", "Goals, decisions and the next steps to them."),
    ("massage-therapy", "Massage therapy", "Hands-on work for tension, pain and recovery."),
    ("yoga-therapy", "Yoga therapy", "Movement and breath adapted to your body and health."),
]

WEEKDAY_HOURS = [(weekday, time(9), time(17)) for weekday in range(5)]
TIERS = [{"hours_before": 24, "refund_percent": 100}, {"hours_before": 2, "refund_percent": 50}]

PRACTITIONERS = [
    {
        "email": DEMO_PRACTITIONER_EMAIL,
        "display_name": "Priya Patel",
        "status": PractitionerProfile.Status.ACTIVE,
        "time_zone": "Europe/London",
        "languages": "English, Hindi, Gujarati",
        "bio": (
            "I am an integrative psychotherapist with twelve years' practice, working with "
            "anxiety, burnout, grief and the quieter struggles that are hard to name.\n\n"
            "Sessions are unhurried and confidential. We start with an initial consultation "
            "to see whether we are a good fit."
        ),
        "services": [
            {
                "name": "Psychotherapy session",
                "modality": "psychotherapy",
                "description": "A 50-minute session over secure video.",
                "duration_minutes": 50,
                "price": 6500,
                "credit_price": 1,
                "accepts_credits": True,
                "accepts_membership": True,
                "is_online": True,
                "buffer_after_minutes": 10,
            },
            {
                "name": "Initial consultation in person",
                "modality": "psychotherapy",
                "description": "Meet in the Islington practice room to talk about what you need.",
                "duration_minutes": 60,
                "price": 8000,
                "member_price": 7000,
                "is_online": False,
                "location": "12 Canonbury Lane, London N1 2AS",
            },
        ],
    },
    {
        "email": "marcus.reid@aeyia.local",
        "display_name": "Marcus Reid",
        "status": PractitionerProfile.Status.VERIFIED,
        "time_zone": "Europe/London",
        "languages": "English",
        "bio": (
            "Life coach for people at a crossroads: career changes, returning to work, "
            "building habits that last. Practical, warm and direct."
        ),
        "services": [
            {
                "name": "Coaching session",
                "modality": "life-coaching",
                "duration_minutes": 45,
                "price": 5000,
                "credit_price": 1,
                "accepts_credits": True,
                "is_online": True,
            },
        ],
    },
    {
        "email": "amara.okafor@aeyia.local",
        "display_name": "Amara Okafor",
        "status": PractitionerProfile.Status.VERIFIED,
        "time_zone": "Europe/London",
        "languages": "English, Yoruba",
        "bio": (
            "Massage and yoga therapist. I help people recover from injury and live with "
            "long-term pain through hands-on work and gentle, adapted movement."
        ),
        "services": [
            {
                "name": "Therapeutic massage",
                "modality": "massage-therapy",
                "duration_minutes": 60,
                "price": 7000,
                "is_online": False,
                "location": "Bristol Wellbeing Studio, 4 Park Row, Bristol BS1 5LJ",
                "buffer_after_minutes": 15,
            },
            {
                "name": "Yoga therapy one-to-one",
                "modality": "yoga-therapy",
                "duration_minutes": 60,
                "price": 5500,
                "is_online": True,
            },
        ],
    },
]


@transaction.atomic
def seed_practitioner_directory() -> list[str]:
    """Creates what is missing and leaves existing rows (and anyone's edits) alone. Run
    it after seed_demo has made the demo practitioner's login. Returns lines worth
    printing for the person trying the site."""
    modalities = {}
    for slug, name, description in MODALITIES:
        modalities[slug], _ = Modality.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    for spec in PRACTITIONERS:
        user = User.objects.filter(email=spec["email"]).first()
        if user is None and spec["email"] == DEMO_PRACTITIONER_EMAIL:
            continue  # seed_demo makes this login first; then run this again
        if user is None:
            first_name, last_name = spec["display_name"].split(" ", 1)
            # Profiles only: these people never sign in (no usable password).
            user = User.objects.create_user(
                email=spec["email"], password=None, first_name=first_name, last_name=last_name
            )
        profile = practitioner_profile_ensure(user=user, display_name=spec["display_name"])
        if not profile.bio:
            profile.display_name = spec["display_name"]
            profile.bio = spec["bio"]
            profile.languages = spec["languages"]
            profile.time_zone = spec["time_zone"]
            profile.status = spec["status"]
            profile.save()
        for service_spec in spec["services"]:
            fields = {**service_spec, "modality": modalities[service_spec["modality"]]}
            Service.objects.get_or_create(
                practitioner=profile,
                name=fields.pop("name"),
                defaults={
                    **fields,
                    "minimum_notice_minutes": 12 * 60,
                    "maximum_advance_days": 90,
                    "cancellation_tiers": TIERS,
                },
            )
        if not profile.availability_rules.exists():
            AvailabilityRule.objects.bulk_create(
                AvailabilityRule(
                    practitioner=profile, weekday=weekday, start_time=start, end_time=end
                )
                for weekday, start, end in WEEKDAY_HOURS
            )
    lines = ["Practitioner directory: /practitioners/ (three demo practitioners)"]
    demo = User.objects.filter(email=DEMO_PRACTITIONER_EMAIL).first()
    if demo is not None and _connect_offline_payouts(demo):
        lines.append("Priya Patel takes card payments (payouts connected on the offline Stripe).")
    return lines


def _connect_offline_payouts(user: User) -> bool:
    """Gives the demo practitioner a ready payout account on the offline Stripe, through
    its own onboarding, so card bookings work in the embedded default. Never against the
    live Stripe."""
    from django.conf import settings

    from commerce.payments.models import ConnectedAccount
    from commerce.payments.services import (
        connected_account_refresh,
        connected_account_start_onboarding,
    )

    if not settings.STRIPE_GATEWAY.startswith("integrations.stripe.local"):
        return False
    account = ConnectedAccount.objects.filter(owner=user).first()
    if account is not None and account.charges_enabled:
        return True
    from integrations.stripe.local import simulator

    connected_account_start_onboarding(
        user=user, refresh_url="http://127.0.0.1/", return_url="http://127.0.0.1/"
    )
    account = ConnectedAccount.objects.get(owner=user)
    with transaction.atomic():
        simulator.complete_onboarding(
            account.stripe_id,
            business_name="Priya Patel Therapy",
            holder_name="Priya Patel",
            routing_number="108800",
            account_number="00012345",
        )
    connected_account_refresh(account=account)
    return True
