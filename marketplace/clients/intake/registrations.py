"""What intake registers at start-up: the record section, its part in the person's
export, erasure and the retention purge."""

from datetime import datetime

from privacy.export import exclude, json_file
from privacy.export import register as export_register
from privacy.registry import ErasureSubject, eraser_register
from privacy.retention import register as retention_register


def export_intake(user):
    """The client's own answers (with the questions they answered) and, for a
    practitioner, the forms they wrote."""
    from marketplace.clients.intake.models import IntakeForm, IntakeResponse
    from marketplace.clients.intake.selectors import answer_rows

    responses = (
        IntakeResponse.objects.filter(record__client=user)
        .select_related("form_version", "record__practitioner")
        .order_by("submitted_at", "pk")
    )
    yield json_file(
        "intake/responses.json",
        [
            {
                "practitioner": response.record.practitioner.display_name,
                "booking_id": response.booking_id,
                "source": response.source,
                "form": response.form_version.title if response.form_version else "",
                "form_version": response.form_version.number if response.form_version else None,
                "submitted_at": response.submitted_at,
                "answers": [
                    {"question": row.question, "answer": row.answer}
                    for row in answer_rows(response)
                ],
            }
            for response in responses
        ],
    )
    forms = IntakeForm.objects.filter(practitioner__user=user).prefetch_related("versions")
    yield json_file(
        "intake/forms.json",
        [
            {
                "title": form.title,
                "versions": [
                    {"number": v.number, "title": v.title, "questions": v.questions}
                    for v in sorted(form.versions.all(), key=lambda version: version.number)
                ],
            }
            for form in forms
        ],
    )


def erase_intake(subject: ErasureSubject) -> int:
    """Intake answers are part of the clinical record: erasure keeps them (the account is
    anonymised) and the retention purge removes them once RETENTION_POLICY's clinical
    period has run out. Changes no row."""
    return 0


def purge_intake(*, cutoff: datetime, dry_run: bool) -> int:
    """Intake answers (and their Typeform deliveries and reminders) of records whose last
    contact was before `cutoff`. Forms a practitioner wrote are not clinical data and stay."""
    from django.db.models import Q

    from marketplace.clients.intake.models import IntakeReminder, IntakeResponse, TypeformEvent

    stale = Q(record__last_contact_at__lt=cutoff)
    responses = IntakeResponse.objects.filter(stale)
    count = responses.count()
    if dry_run:
        return count
    TypeformEvent.objects.filter(response__in=responses).delete()
    IntakeReminder.objects.filter(stale).delete()
    responses.delete()
    return count


def register() -> None:
    from marketplace.clients.records import sections
    from marketplace.clients.records.pages import register_panel

    register_panel("intake", intake_panel, order=20)
    sections.register(
        "intake", "Intake", "care-intake-practitioner", "care-intake-client", order=10
    )
    export_register("intake", export_intake, models=("intake.IntakeResponse", "intake.IntakeForm"))
    exclude(
        models=("intake.IntakeReminder",),
        reason="a send log (booking id and times) of the reminder email; nothing the person gave",
    )
    eraser_register(name="intake", eraser=erase_intake, models=("intake.IntakeResponse",))
    retention_register(
        "clinical_adult",
        purge_intake,
        name="intake",
        models=("intake.IntakeResponse", "intake.TypeformEvent", "intake.IntakeReminder"),
    )


def intake_panel(*, request, record, side: str, role: str) -> str:
    """The record overview's intake panel: what the client still has to complete (with
    links), or for the practitioner how many intakes are in. Nothing of the answers."""
    from django.template.loader import render_to_string
    from django.utils import timezone

    from marketplace.clients.intake.selectors import record_intakes

    if role not in ("client", "practitioner"):
        return ""
    items = record_intakes(record=record)
    if not items:
        return ""
    with timezone.override(record.practitioner.zone):
        return render_to_string(
            "intake/_record_panel.html",
            {
                "record": record,
                "side": side,
                "to_do": [item for item in items if not item.is_done and not item.is_locked],
                "done": sum(1 for item in items if item.is_done),
            },
            request=request,
        )
