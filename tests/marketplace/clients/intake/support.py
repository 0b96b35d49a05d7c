"""Intake test set-up: a practitioner (with the role and an authenticator, as the
dashboard's MFA policy wants), a service with an intake form, a client with a confirmed
booking and the care record it opened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.roles import Role
from commerce.bookings.models import Booking
from marketplace.clients.intake import services
from marketplace.clients.intake.models import IntakeForm
from marketplace.clients.records.models import CareRecord
from marketplace.clients.records.services import care_record_open
from marketplace.practitioners.models import PractitionerProfile, Service
from tests.accounts.factories import UserFactory, enrol_totp
from tests.commerce.bookings.notification_setup import make_booking
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

CANARY = "canary-intake-7f41c0de"


def practitioner_with_mfa(**fields) -> PractitionerProfile:
    user = UserFactory(roles=[Role.PRACTITIONER])
    enrol_totp(user)
    return PractitionerProfileFactory(user=user, **fields)


def every_kind_form(practitioner: PractitionerProfile, title: str = "Welcome") -> IntakeForm:
    form = services.intake_form_create(practitioner=practitioner, title=title)
    for fields in (
        {"kind": "short_text", "label": "Your GP", "required": True},
        {"kind": "long_text", "label": "What brings you here?", "required": True},
        {"kind": "single_choice", "label": "Contact by", "choices": ["Email", "Phone"]},
        {"kind": "multiple_choice", "label": "Areas", "choices": ["Neck", "Back", "Knee"]},
        {"kind": "scale", "label": "Sleep", "scale_min": 0, "scale_max": 10, "required": True},
        {"kind": "date", "label": "Last check-up"},
        {"kind": "yes_no", "label": "Taking medication?", "required": True},
    ):
        services.intake_question_add(form=form, **fields)
    return form


def ids(form: IntakeForm) -> dict[str, str]:
    """Question ids by kind."""
    version = services.latest_version(form)
    return {question["kind"]: question["id"] for question in version.questions}


def good_answers(form: IntakeForm, *, text: str = "Trouble sleeping") -> dict:
    by_kind = ids(form)
    return {
        by_kind["short_text"]: "Dr Rowe",
        by_kind["long_text"]: text,
        by_kind["single_choice"]: "Email",
        by_kind["multiple_choice"]: ["Back", "Neck"],
        by_kind["scale"]: 4,
        by_kind["date"]: "2026-03-01",
        by_kind["yes_no"]: False,
    }


@dataclass
class Setup:
    practitioner: PractitionerProfile
    service: Service
    form: IntakeForm
    client: object
    booking: Booking
    record: CareRecord


def intake_setup(*, starts_in: dt.timedelta = dt.timedelta(days=3), typeform: str = "") -> Setup:
    practitioner = practitioner_with_mfa(display_name="Sam Rivers")
    service = ServiceFactory(practitioner=practitioner, name="Reiki")
    form = every_kind_form(practitioner)
    if typeform:
        services.service_intake_set(
            practitioner=practitioner, service=service, typeform_form_id=typeform
        )
    else:
        services.service_intake_set(practitioner=practitioner, service=service, form=form)
    client = UserFactory(roles=[Role.CLIENT])
    booking = make_booking(
        starts_at=(timezone.now() + starts_in).replace(microsecond=0),
        service=service,
        client=client,
    )
    record = care_record_open(client=client, practitioner=practitioner, booking_id=booking.pk)
    return Setup(practitioner, service, form, client, booking, record)


def move_booking(booking: Booking, starts_at: dt.datetime) -> None:
    """Moves the session (and its blocked range) to `starts_at`."""
    length = booking.ends_at - booking.starts_at
    booking.starts_at = booking.blocked_start = starts_at
    booking.ends_at = booking.blocked_end = starts_at + length
    booking.save(update_fields=["starts_at", "ends_at", "blocked_start", "blocked_end"])
