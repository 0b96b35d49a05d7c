"""Intake's part in a person's export (their answers with the questions, a practitioner's
forms) and in the retention purge (answers of records whose last contact is past the
clinical period go; a dry run changes nothing)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from marketplace.clients.intake import services
from marketplace.clients.intake.models import IntakeForm, IntakeReminder, IntakeResponse
from marketplace.clients.intake.registrations import export_intake, purge_intake
from marketplace.clients.records.models import CareRecord
from tests.marketplace.clients.intake.support import good_answers, intake_setup

pytestmark = pytest.mark.django_db


def _answer(setup, text="Trouble sleeping"):
    return services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form, text=text),
    )


def test_the_export_holds_the_clients_answers_and_the_practitioners_forms():
    setup = intake_setup()
    _answer(setup, text="Neck pain")
    other = intake_setup()
    _answer(other, text="Someone else's")

    client_files = dict(export_intake(setup.client))
    [response] = json.loads(client_files["intake/responses.json"])
    assert response["practitioner"] == "Sam Rivers"
    assert {"question": "What brings you here?", "answer": "Neck pain"} in response["answers"]
    assert json.loads(client_files["intake/forms.json"]) == []
    assert b"Someone else" not in client_files["intake/responses.json"]

    practitioner_files = dict(export_intake(setup.practitioner.user))
    [form] = json.loads(practitioner_files["intake/forms.json"])
    assert form["title"] == "Welcome" and len(form["versions"][0]["questions"]) == 7
    assert json.loads(practitioner_files["intake/responses.json"]) == []


def test_the_purge_removes_answers_past_retention_and_a_dry_run_changes_nothing():
    old = intake_setup()
    _answer(old)
    IntakeReminder.objects.create(booking_id=old.booking.pk, record=old.record)
    recent = intake_setup()
    _answer(recent)
    now = timezone.now()
    CareRecord.objects.filter(pk=old.record.pk).update(
        last_contact_at=now - dt.timedelta(days=3000)
    )
    cutoff = now - dt.timedelta(days=365 * 7)

    assert purge_intake(cutoff=cutoff, dry_run=True) == 1
    assert IntakeResponse.objects.count() == 2
    assert purge_intake(cutoff=cutoff, dry_run=False) == 1
    assert list(IntakeResponse.objects.values_list("record_id", flat=True)) == [recent.record.pk]
    assert not IntakeReminder.objects.exists()
    assert IntakeForm.objects.count() == 2  # the practitioners' forms stay
    assert purge_intake(cutoff=cutoff, dry_run=False) == 0
