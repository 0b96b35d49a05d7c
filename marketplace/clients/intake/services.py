"""Every write in intake: building forms (versioned), attaching an intake to a service,
the client's answers (locked once the session starts), Typeform responses, reminders.
Keyword-only arguments; atomic; every create and update of client data is audited."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from events.outbox import enqueue_on_commit
from integrations.typeform.types import TypeformResponse
from marketplace.clients.intake import questions as q
from marketplace.clients.intake.bookings import BookingFacts, booking_source
from marketplace.clients.intake.errors import (
    IntakeInvalid,
    IntakeLocked,
    IntakeNotAsked,
    IntakeNotYours,
    QuestionInvalid,
)
from marketplace.clients.intake.models import (
    IntakeForm,
    IntakeFormVersion,
    IntakeReminder,
    IntakeResponse,
    ServiceIntake,
)
from marketplace.clients.intake.references import HIDDEN_FIELD, booking_from_reference
from marketplace.clients.records.models import CareRecord
from marketplace.practitioners.models import PractitionerProfile, Service
from privacy.audit import audit

TYPEFORM_FORM_ID_MAX = 64

# ---- building forms ---------------------------------------------------------------------


def intake_form_create(*, practitioner: PractitionerProfile, title: str) -> IntakeForm:
    title = (title or "").strip()
    if not title or len(title) > 160:
        raise QuestionInvalid("Give the form a title of up to 160 characters.")
    with transaction.atomic():
        form = IntakeForm.objects.create(practitioner=practitioner, title=title)
        IntakeFormVersion.objects.create(form=form, number=1, title=title, questions=[])
    return form


def latest_version(form: IntakeForm) -> IntakeFormVersion:
    return form.versions.order_by("-number").first() or IntakeFormVersion.objects.create(
        form=form, number=1, title=form.title, questions=[]
    )


def _edit(form: IntakeForm, change: Callable[[IntakeFormVersion], None]) -> IntakeFormVersion:
    """Applies `change` to the version being edited: the newest one while nobody has
    answered it, else a copy that becomes the next version (answers keep theirs)."""
    with transaction.atomic():
        IntakeForm.objects.select_for_update().get(pk=form.pk)
        version = latest_version(form)
        if version.responses.exists():
            version = IntakeFormVersion.objects.create(
                form=form,
                number=version.number + 1,
                title=version.title,
                questions=[dict(question) for question in version.questions],
            )
        change(version)
        version.save(update_fields=["title", "questions"])
        form.title = version.title
        form.save(update_fields=["title", "updated_at"])
    return version


def intake_form_rename(*, form: IntakeForm, title: str) -> IntakeFormVersion:
    title = (title or "").strip()
    if not title or len(title) > 160:
        raise QuestionInvalid("Give the form a title of up to 160 characters.")

    def change(version: IntakeFormVersion) -> None:
        version.title = title

    return _edit(form, change)


def _question(**fields: Any) -> dict[str, Any]:
    try:
        return q.question_build(**fields)
    except q.QuestionError as error:
        raise QuestionInvalid(str(error)) from error


def intake_question_add(*, form: IntakeForm, **fields: Any) -> IntakeFormVersion:
    question = _question(**fields)

    def change(version: IntakeFormVersion) -> None:
        if len(version.questions) >= q.MAX_QUESTIONS:
            raise QuestionInvalid(f"A form may have at most {q.MAX_QUESTIONS} questions.")
        version.questions = [*version.questions, question]

    return _edit(form, change)


def _index(version: IntakeFormVersion, question_id: str) -> int:
    for index, question in enumerate(version.questions):
        if question["id"] == question_id:
            return index
    raise QuestionInvalid("That question is not on this form.")


def intake_question_update(
    *, form: IntakeForm, question_id: str, **fields: Any
) -> IntakeFormVersion:
    question = _question(question_id=question_id, **fields)

    def change(version: IntakeFormVersion) -> None:
        index = _index(version, question_id)
        questions = list(version.questions)
        questions[index] = question
        version.questions = questions

    return _edit(form, change)


def intake_question_remove(*, form: IntakeForm, question_id: str) -> IntakeFormVersion:
    def change(version: IntakeFormVersion) -> None:
        index = _index(version, question_id)
        version.questions = [qq for i, qq in enumerate(version.questions) if i != index]

    return _edit(form, change)


def intake_question_move(*, form: IntakeForm, question_id: str, offset: int) -> IntakeFormVersion:
    """Moves a question up (offset -1) or down (+1); at either end nothing moves."""

    def change(version: IntakeFormVersion) -> None:
        index = _index(version, question_id)
        target = index + (1 if offset > 0 else -1)
        if 0 <= target < len(version.questions):
            questions = list(version.questions)
            questions[index], questions[target] = questions[target], questions[index]
            version.questions = questions

    return _edit(form, change)


# ---- which intake a service asks for -----------------------------------------------------


def service_intake_set(
    *,
    practitioner: PractitionerProfile,
    service: Service,
    form: IntakeForm | None = None,
    typeform_form_id: str = "",
) -> ServiceIntake | None:
    """Attaches one of the practitioner's forms, or a Typeform form by id, to their service
    (neither: the service asks for no intake). A newly linked Typeform form gets a new
    webhook secret."""
    if service.practitioner_id != practitioner.pk:
        raise IntakeNotAsked("That service is not yours.")
    if form is not None and form.practitioner_id != practitioner.pk:
        raise IntakeNotAsked("That form is not yours.")
    typeform_form_id = (typeform_form_id or "").strip()
    if typeform_form_id and (
        len(typeform_form_id) > TYPEFORM_FORM_ID_MAX
        or not all(ch.isalnum() or ch in "-_" for ch in typeform_form_id)
    ):
        raise QuestionInvalid("A Typeform form id is letters and digits, as in its link.")
    if form is not None and typeform_form_id:
        raise QuestionInvalid("Choose either one of your forms or a Typeform form.")
    with transaction.atomic():
        link = ServiceIntake.objects.select_for_update().filter(service=service).first()
        if form is None and not typeform_form_id:
            if link is not None:
                link.delete()
            return None
        if link is None:
            link = ServiceIntake(service=service)
        if typeform_form_id and typeform_form_id != link.typeform_form_id:
            link.typeform_secret = secrets.token_urlsafe(32)
        if not typeform_form_id:
            link.typeform_secret = ""
        link.form = form
        link.typeform_form_id = typeform_form_id
        link.save()
    return link


# ---- the client's answers ----------------------------------------------------------------


def intake_asked(*, record: CareRecord, booking_id: int) -> tuple[BookingFacts, ServiceIntake]:
    """The booking and the intake it asks for, or IntakeNotAsked: the booking must be a
    confirmed one between this record's client and practitioner, for a service with an
    intake."""
    facts = booking_source().booking(int(booking_id))
    if (
        facts is None
        or not facts.is_confirmed
        or facts.client_id != record.client_id
        or facts.practitioner_id != record.practitioner_id
    ):
        raise IntakeNotAsked("No intake is asked for that booking.")
    link = ServiceIntake.objects.select_related("form").filter(service_id=facts.service_id).first()
    if link is None:
        raise IntakeNotAsked("No intake is asked for that booking.")
    return facts, link


def intake_is_locked(*, facts: BookingFacts, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= facts.starts_at


def intake_response_submit(
    *,
    record: CareRecord,
    user,
    booking_id: int,
    raw_answers: Mapping[str, Any],
    request=None,
    now: datetime | None = None,
) -> IntakeResponse:
    """The client answers (or changes their answers to) the intake of one booking, until
    the session starts. A first answer uses the form's newest version; a change keeps the
    version first answered."""
    now = now or timezone.now()
    if user.pk != record.client_id:
        raise IntakeNotYours()
    facts, link = intake_asked(record=record, booking_id=booking_id)
    if link.form is None:
        raise IntakeNotAsked("This intake is answered on Typeform.")
    if intake_is_locked(facts=facts, now=now):
        raise IntakeLocked("Your session has started, so your intake can no longer be changed.")
    with transaction.atomic():
        existing = (
            IntakeResponse.objects.select_for_update(of=("self",))
            .select_related("form_version")
            .filter(booking_id=facts.booking_id)
            .first()
        )
        if existing is not None and existing.source != IntakeResponse.Source.FORM:
            raise IntakeLocked("This intake was answered on Typeform.")
        version = existing.form_version if existing is not None else latest_version(link.form)
        if version is None:
            raise IntakeNotAsked("No intake form is attached to this answer.")
        answers, errors = q.clean_answers(list(version.questions), raw_answers)
        if errors:
            raise IntakeInvalid(errors=errors)
        if existing is None:
            response = IntakeResponse.objects.create(
                record=record,
                booking_id=facts.booking_id,
                source=IntakeResponse.Source.FORM,
                form_version=version,
                answers=answers,
                submitted_at=now,
            )
            action = "create"
        else:
            response = existing
            response.answers = answers
            response.submitted_at = now
            response.save(update_fields=["answers", "submitted_at", "updated_at"])
            action = "update"
        audit(
            actor=user,
            action=action,
            subject_user_id=record.client_id,
            object_type="intake_response",
            object_id=response.pk,
            request=request,
            details={"record_id": record.pk, "booking_id": facts.booking_id},
        )
    return response


# ---- Typeform responses ------------------------------------------------------------------


class TypeformNotMatched(Exception):
    """A verified response that belongs to no intake we asked for (kept as failed)."""


def intake_typeform_apply(*, response: TypeformResponse) -> IntakeResponse:
    """Stores a Typeform response as the intake of the booking its signed `booking`
    hidden field names. Out-of-order safe: a response submitted before the one already
    stored changes nothing; a response submitted after the session started is refused."""
    from marketplace.clients.records.services import care_record_open

    booking_id = booking_from_reference(response.hidden.get(HIDDEN_FIELD, ""))
    if booking_id is None:
        raise TypeformNotMatched("the booking reference is missing or does not verify")
    facts = booking_source().booking(booking_id)
    if facts is None or not facts.is_confirmed:
        raise TypeformNotMatched(f"booking {booking_id} is not a confirmed booking")
    link = ServiceIntake.objects.filter(service_id=facts.service_id).first()
    if link is None or not link.typeform_form_id or link.typeform_form_id != response.form_id:
        raise TypeformNotMatched(f"booking {booking_id}'s service does not ask for this form")
    if response.submitted_at >= facts.starts_at:
        raise TypeformNotMatched(f"submitted after booking {booking_id}'s session started")
    practitioner = PractitionerProfile.objects.get(pk=facts.practitioner_id)
    from accounts.models import User

    client = User.objects.get(pk=facts.client_id)
    record = care_record_open(client=client, practitioner=practitioner, booking_id=booking_id)
    answers = [answer.as_dict() for answer in response.answers]
    with transaction.atomic():
        existing = IntakeResponse.objects.select_for_update().filter(booking_id=booking_id).first()
        if existing is not None:
            if existing.source != IntakeResponse.Source.TYPEFORM:
                raise TypeformNotMatched(f"booking {booking_id} was answered on our own form")
            if existing.submitted_at >= response.submitted_at:
                return existing  # an older (or the same) response delivered late
            existing.answers = answers
            existing.typeform_form_id = response.form_id
            existing.typeform_token = response.token
            existing.submitted_at = response.submitted_at
            existing.save(
                update_fields=[
                    "answers",
                    "typeform_form_id",
                    "typeform_token",
                    "submitted_at",
                    "updated_at",
                ]
            )
            stored, action = existing, "update"
        else:
            stored = IntakeResponse.objects.create(
                record=record,
                booking_id=booking_id,
                source=IntakeResponse.Source.TYPEFORM,
                typeform_form_id=response.form_id,
                typeform_token=response.token,
                answers=answers,
                submitted_at=response.submitted_at,
            )
            action = "create"
        audit(
            actor=client,
            action=action,
            subject_user_id=client.pk,
            object_type="intake_response",
            object_id=stored.pk,
            details={"record_id": record.pk, "booking_id": booking_id, "via": "typeform"},
        )
    return stored


# ---- reminders ---------------------------------------------------------------------------

REMINDER_LEAD_HOURS = 24


def intake_reminders_due(*, now: datetime | None = None) -> int:
    """Beat: claims one reminder for each confirmed booking starting within the next 24
    hours whose service asks for an intake not yet answered, and sends it after commit.
    Returns how many were claimed now (a booking is never claimed twice)."""
    from datetime import timedelta

    from marketplace.clients.intake.tasks import send_intake_reminder

    now = now or timezone.now()
    service_ids = list(ServiceIntake.objects.values_list("service_id", flat=True))
    if not service_ids:
        return 0
    due = booking_source().confirmed_starting_between(
        start=now, end=now + timedelta(hours=REMINDER_LEAD_HOURS), service_ids=service_ids
    )
    booking_ids = [facts.booking_id for facts in due]
    answered = set(
        IntakeResponse.objects.filter(booking_id__in=booking_ids).values_list(
            "booking_id", flat=True
        )
    )
    claimed_before = set(
        IntakeReminder.objects.filter(booking_id__in=booking_ids).values_list(
            "booking_id", flat=True
        )
    )
    records = {
        (record.client_id, record.practitioner_id): record
        for record in CareRecord.objects.filter(
            client_id__in={facts.client_id for facts in due},
            practitioner_id__in={facts.practitioner_id for facts in due},
        )
    }
    claimed = 0
    for facts in due:
        record = records.get((facts.client_id, facts.practitioner_id))
        if facts.booking_id in answered or facts.booking_id in claimed_before or record is None:
            continue
        try:
            with transaction.atomic():
                reminder = IntakeReminder.objects.create(booking_id=facts.booking_id, record=record)
                enqueue_on_commit(send_intake_reminder, reminder.pk)
        except IntegrityError:
            continue  # another run claimed it first
        claimed += 1
    return claimed


def intake_reminder_send(*, reminder_id: int, now: datetime | None = None) -> IntakeReminder:
    """Sends one claimed reminder at most once; skipped (recorded) when the intake was
    answered meanwhile, the booking was cancelled or its session already started."""
    from marketplace.clients.intake.notifications import send_reminder_email

    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            IntakeReminder.objects.select_for_update(of=("self",))
            .select_related("record", "record__client", "record__practitioner")
            .get(pk=reminder_id)
        )
        if reminder.sent_at is not None or reminder.error:
            return reminder
        facts = booking_source().booking(reminder.booking_id)
        answered = IntakeResponse.objects.filter(booking_id=reminder.booking_id).exists()
        if facts is None or not facts.is_confirmed or answered or now >= facts.starts_at:
            reminder.error = "not sent: no longer needed"
            reminder.save(update_fields=["error"])
            return reminder
        try:
            send_reminder_email(record=reminder.record, facts=facts, reminder_id=reminder.pk)
        except Exception as error:  # noqa: BLE001 - recorded, not retried (no loops)
            reminder.error = f"{type(error).__name__}"[:200]
            reminder.save(update_fields=["error"])
            return reminder
        reminder.sent_at = now
        reminder.save(update_fields=["sent_at"])
    return reminder
