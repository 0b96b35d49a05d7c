"""Demo practitioners for the embedded default (idempotent): modalities, the demo
practitioner (practitioner@aeyia.local) made active with services and weekly hours, and
two more verified practitioners whose accounts are never used to sign in."""

from datetime import datetime, time, timedelta

from django.db import transaction

from accounts.models import User
from commerce.bookings.models import AvailabilityRule, Booking
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


# ---------- the demo client's care with the demo practitioner ----------

DEMO_CLIENT_EMAIL = "client@aeyia.local"
CARE_SERVICE_NAME = "Psychotherapy session"
CARE_SESSION_HOUR = 10  # the first free slot from 10:00 in the practitioner's zone
# A session that took place (or was arranged) and can carry a note.
SESSION_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def _slot_on_or_after(service: Service, day, *, now) -> datetime | None:
    """The first time `service` offers at `now` from 10:00 (its zone) on `day`, looking
    up to a week ahead."""
    from commerce.bookings.selectors import bookable_slots

    zone = service.practitioner.zone
    start = datetime.combine(day, time(CARE_SESSION_HOUR), tzinfo=zone)
    slots = bookable_slots(service=service, start=start, end=start + timedelta(days=7), now=now)
    return slots[0].starts_at if slots else None


def _book_with_demo_credit(*, client: User, service: Service, starts_at: datetime, now) -> Booking:
    """booking_hold and booking_confirm_with_credits at `now`, paid with one credit
    granted for this session through the ledger (so the welcome credits stay)."""
    from commerce.bookings.services.holds import booking_confirm_with_credits, booking_hold
    from commerce.credits.models import CreditTransaction
    from commerce.credits.services import credits_grant

    credits_grant(
        user=client,
        amount=service.credit_price or 1,
        kind=CreditTransaction.Kind.ADJUSTMENT,
        source_type="demo",
        source_id=f"care-session-{starts_at:%Y%m%dT%H%M}",
        memo="Demo session credit",
    )
    booking = booking_hold(
        client=client,
        service=service,
        starts_at=starts_at,
        pay_with=Booking.PayWith.CREDITS,
        now=now,
    )
    return booking_confirm_with_credits(booking=booking, now=now)


@transaction.atomic
def seed_care_record_demo(*, now: datetime | None = None) -> list[str]:
    """The demo client's care with Priya Patel, through the real services: the consent
    documents published and signed, an intake form on her psychotherapy service, a past
    session and one next week (booked and paid with demo credits, which opens the care
    record), the client's intake for next week, a signed SOAP note on the past session
    shared with the client, a shared PDF and a conversation. Idempotent: each part is
    made only when missing. Returns lines worth printing."""
    from django.utils import timezone

    from marketplace.clients.consent.demo import seed_client_consents, seed_consent_documents
    from marketplace.clients.documents.demo import seed_shared_document
    from marketplace.clients.intake.demo import seed_intake_answers, seed_service_intake
    from marketplace.clients.messaging.demo import seed_conversation
    from marketplace.clients.notes.demo import seed_session_note
    from marketplace.clients.records.models import CareRecord

    now = timezone.now() if now is None else now
    client = User.objects.filter(email=DEMO_CLIENT_EMAIL).first()
    practitioner = PractitionerProfile.objects.filter(user__email=DEMO_PRACTITIONER_EMAIL).first()
    service = (
        Service.objects.filter(practitioner=practitioner, name=CARE_SERVICE_NAME).first()
        if practitioner is not None
        else None
    )
    if client is None or service is None:
        return []
    seed_consent_documents()
    seed_client_consents(client=client)
    seed_service_intake(practitioner=practitioner, service=service)

    pair = Booking.objects.filter(client=client, practitioner=practitioner)
    past = (
        pair.filter(status__in=SESSION_STATUSES, starts_at__lt=now).order_by("-starts_at").first()
    )
    if past is None:
        # Booked two weeks ago (an explicit `now`) for a session a week ago.
        booked_at = now - timedelta(days=14)
        starts_at = _slot_on_or_after(service, (now - timedelta(days=8)).date(), now=booked_at)
        if starts_at is not None and starts_at < now - timedelta(hours=2):
            past = _book_with_demo_credit(
                client=client, service=service, starts_at=starts_at, now=booked_at
            )
    upcoming = (
        pair.filter(status=Booking.Status.CONFIRMED, starts_at__gte=now)
        .order_by("starts_at")
        .first()
    )
    if upcoming is None:
        starts_at = _slot_on_or_after(service, (now + timedelta(days=7)).date(), now=now)
        if starts_at is not None:
            upcoming = _book_with_demo_credit(
                client=client, service=service, starts_at=starts_at, now=now
            )

    record = CareRecord.objects.filter(client=client, practitioner=practitioner).first()
    if record is None:
        return []
    if upcoming is not None:
        seed_intake_answers(record=record, booking_id=upcoming.pk)
    if past is not None:
        seed_session_note(record=record, booking_id=past.pk)
    seed_shared_document(record=record)
    seed_conversation(record=record)
    return [
        f"Care record: {DEMO_CLIENT_EMAIL} sees consents, intake, a shared note, a document "
        "and messages with Priya Patel at /account/care/; the practitioner sees the client "
        "at /dashboard/practice/clients/"
    ]
