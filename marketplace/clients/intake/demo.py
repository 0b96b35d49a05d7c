"""Demo intake for the embedded default (idempotent): the demo practitioner's intake form
on her psychotherapy service, built through the form builder, and the demo client's
answers for a booking of it."""

from marketplace.clients.intake.models import IntakeForm, IntakeResponse, ServiceIntake
from marketplace.clients.intake.services import (
    intake_asked,
    intake_form_create,
    intake_question_add,
    intake_response_submit,
    latest_version,
    service_intake_set,
)
from marketplace.clients.records.models import CareRecord
from marketplace.practitioners.models import PractitionerProfile, Service

DEMO_FORM_TITLE = "Before your first session"
DEMO_QUESTIONS = [
    {
        "kind": "long_text",
        "label": "What would you like help with?",
        "required": True,
    },
    {
        "kind": "scale",
        "label": "How has your sleep been over the last two weeks?",
        "required": True,
        "scale_min": 0,
        "scale_max": 10,
        "min_label": "Very poor",
        "max_label": "Very good",
    },
    {
        "kind": "yes_no",
        "label": "Have you had counselling or therapy before?",
    },
    {
        "kind": "single_choice",
        "label": "How should I contact you between sessions?",
        "choices": ["Secure messages", "Email", "Phone"],
    },
]
DEMO_ANSWERS = {
    "What would you like help with?": (
        "Work has been overwhelming since the spring and I lie awake going over it. "
        "I would like ways to switch off in the evening."
    ),
    "How has your sleep been over the last two weeks?": 4,
    "Have you had counselling or therapy before?": False,
    "How should I contact you between sessions?": "Secure messages",
}


def seed_service_intake(*, practitioner: PractitionerProfile, service: Service) -> IntakeForm:
    """The practitioner's demo form (made once, with its questions) asked by `service`
    unless the service already asks for an intake."""
    form = IntakeForm.objects.filter(practitioner=practitioner, title=DEMO_FORM_TITLE).first()
    if form is None:
        form = intake_form_create(practitioner=practitioner, title=DEMO_FORM_TITLE)
        for fields in DEMO_QUESTIONS:
            intake_question_add(form=form, **fields)
    if not ServiceIntake.objects.filter(service=service).exists():
        service_intake_set(practitioner=practitioner, service=service, form=form)
    return form


def seed_intake_answers(*, record: CareRecord, booking_id: int) -> IntakeResponse | None:
    """The client's answers to the demo form for an upcoming booking, unless that booking
    already has an intake or asks for a different form."""
    existing = IntakeResponse.objects.filter(booking_id=booking_id).first()
    if existing is not None:
        return existing
    _facts, link = intake_asked(record=record, booking_id=booking_id)
    form = link.form
    if form is None or form.title != DEMO_FORM_TITLE:
        return None
    questions = latest_version(form).questions
    answers = {
        question["id"]: DEMO_ANSWERS[question["label"]]
        for question in questions
        if question["label"] in DEMO_ANSWERS
    }
    return intake_response_submit(
        record=record, user=record.client, booking_id=booking_id, raw_answers=answers
    )
