"""Reads several intake callers share: a practitioner's forms and service links, and the
intakes of a care record (what is asked, what is answered, what is locked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from marketplace.clients.intake import questions as q
from marketplace.clients.intake.bookings import BookingFacts, booking_source
from marketplace.clients.intake.models import (
    IntakeForm,
    IntakeFormVersion,
    IntakeResponse,
    ServiceIntake,
)
from marketplace.clients.records.models import CareRecord
from marketplace.practitioners.models import PractitionerProfile, Service


def forms_of(practitioner: PractitionerProfile) -> QuerySet[IntakeForm]:
    return IntakeForm.objects.filter(practitioner=practitioner).prefetch_related("versions")


def services_with_links(
    practitioner: PractitionerProfile,
) -> list[tuple[Service, ServiceIntake | None]]:
    services = list(Service.objects.filter(practitioner=practitioner).order_by("name", "pk"))
    links = {
        link.service_id: link
        for link in ServiceIntake.objects.filter(service__in=services).select_related("form")
    }
    return [(service, links.get(service.pk)) for service in services]


@dataclass(frozen=True)
class IntakeItem:
    """One booking's intake in a record: what it asks, whether it is answered, whether it
    can still be changed."""

    booking_id: int
    service_name: str
    starts_at: datetime | None
    link: ServiceIntake | None
    response: IntakeResponse | None
    is_locked: bool

    @property
    def is_done(self) -> bool:
        return self.response is not None

    @property
    def is_typeform(self) -> bool:
        if self.response is not None:
            return self.response.source == IntakeResponse.Source.TYPEFORM
        return bool(self.link and self.link.is_typeform)


def record_intakes(*, record: CareRecord, now: datetime | None = None) -> list[IntakeItem]:
    """Each confirmed booking of the record's pair whose service asks for an intake, and
    every stored response (newest session first). Two queries plus the booking source's."""
    now = now or timezone.now()
    bookings = booking_source().bookings_between(
        client_id=record.client_id, practitioner_id=record.practitioner_id
    )
    links = {
        link.service_id: link
        for link in ServiceIntake.objects.filter(
            service_id__in={facts.service_id for facts in bookings}
        ).select_related("form")
    }
    responses = {
        response.booking_id: response
        for response in IntakeResponse.objects.filter(record=record).select_related("form_version")
    }
    items: list[IntakeItem] = []
    seen: set[int] = set()
    for facts in bookings:
        link = links.get(facts.service_id)
        response = responses.get(facts.booking_id)
        if link is None and response is None:
            continue
        seen.add(facts.booking_id)
        items.append(
            IntakeItem(
                booking_id=facts.booking_id,
                service_name=facts.service_name,
                starts_at=facts.starts_at,
                link=link,
                response=response,
                is_locked=now >= facts.starts_at,
            )
        )
    for booking_id, response in responses.items():
        if booking_id not in seen:  # the booking was cancelled or is gone: kept, locked
            items.append(
                IntakeItem(
                    booking_id=booking_id,
                    service_name="",
                    starts_at=None,
                    link=None,
                    response=response,
                    is_locked=True,
                )
            )
    far_past = datetime.min.replace(tzinfo=now.tzinfo)
    return sorted(items, key=lambda item: item.starts_at or far_past, reverse=True)


def response_for_booking(*, record: CareRecord, booking_id: int) -> IntakeResponse | None:
    return (
        IntakeResponse.objects.select_related("form_version")
        .filter(record=record, booking_id=booking_id)
        .first()
    )


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str
    help: str = ""


def answer_rows(response: IntakeResponse) -> list[AnswerRow]:
    """The response as questions and answers, in the form's order (unanswered optional
    questions show an empty answer)."""
    answers: Any = response.answers
    if response.source == IntakeResponse.Source.TYPEFORM:
        rows = []
        for item in answers or []:
            value = item.get("value")
            if isinstance(value, bool):
                shown = "Yes" if value else "No"
            elif isinstance(value, list):
                shown = ", ".join(str(v) for v in value)
            elif isinstance(value, dict):
                shown = ", ".join(f"{k}: {v}" for k, v in value.items())
            else:
                shown = "" if value is None else str(value)
            rows.append(
                AnswerRow(question=item.get("title") or item.get("field_ref") or "", answer=shown)
            )
        return rows
    version: IntakeFormVersion | None = response.form_version
    questions = list(version.questions) if version is not None else []
    return [
        AnswerRow(
            question=question["label"],
            answer=q.display_value(question, (answers or {}).get(question["id"])),
        )
        for question in questions
    ]


def booking_facts(booking_id: int) -> BookingFacts | None:
    return booking_source().booking(booking_id)


@dataclass(frozen=True)
class IntakePrompt:
    """What a booking page says about the booking's intake."""

    url: str
    is_done: bool
    is_locked: bool


def intake_prompt(*, booking_id: int, client_id: int, practitioner_id: int) -> IntakePrompt | None:
    """For the client's booking page: where to complete (or review) the booking's intake,
    or None when it asks for none (or the pair has no care record yet)."""
    from django.urls import reverse

    record = CareRecord.objects.filter(client_id=client_id, practitioner_id=practitioner_id).first()
    facts = booking_source().booking(booking_id)
    if record is None or facts is None or not facts.is_confirmed:
        return None
    if not ServiceIntake.objects.filter(service_id=facts.service_id).exists():
        return None
    return IntakePrompt(
        url=reverse(
            "care-intake-client-fill", kwargs={"record_id": record.pk, "booking_id": booking_id}
        ),
        is_done=IntakeResponse.objects.filter(booking_id=booking_id).exists(),
        is_locked=timezone.now() >= facts.starts_at,
    )
