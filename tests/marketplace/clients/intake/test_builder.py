"""The practitioner's builder: forms with every kind of question, reordering and
removing by form posts (no JavaScript), a new version once a version has answers, and
which intake each service asks for."""

import pytest
from django.urls import reverse

from marketplace.clients.intake import services
from marketplace.clients.intake.errors import IntakeNotAsked, QuestionInvalid
from marketplace.clients.intake.models import IntakeForm, ServiceIntake
from tests.marketplace.clients.intake.support import (
    every_kind_form,
    good_answers,
    intake_setup,
    practitioner_with_mfa,
)
from tests.marketplace.practitioners.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_the_builder_makes_a_form_with_every_kind_by_form_posts(client):
    practitioner = practitioner_with_mfa()
    client.force_login(practitioner.user)

    page = client.get(reverse("practice-intake"))
    assert page.status_code == 200
    created = client.post(reverse("practice-intake"), {"action": "create", "title": "First visit"})
    form = IntakeForm.objects.get(practitioner=practitioner)
    assert created.status_code == 302
    assert created["Location"] == reverse("practice-intake-form", args=[form.pk])
    edit_url = reverse("practice-intake-form", args=[form.pk])
    posts = [
        {"kind": "short_text", "label": "Your GP", "required": "on"},
        {"kind": "long_text", "label": "Why now?"},
        {"kind": "single_choice", "label": "Contact", "choices": "Email\nPhone"},
        {"kind": "multiple_choice", "label": "Areas", "choices": "Neck\r\nBack\r\n"},
        {
            "kind": "scale",
            "label": "Sleep",
            "scale_min": "0",
            "scale_max": "10",
            "min_label": "Poor",
        },
        {"kind": "date", "label": "Last check-up"},
        {"kind": "yes_no", "label": "Medication?", "required": "on"},
    ]
    for post in posts:
        assert client.post(edit_url, {"action": "add", **post}).status_code == 302

    version = services.latest_version(form)
    assert [question["kind"] for question in version.questions] == [
        "short_text", "long_text", "single_choice", "multiple_choice", "scale", "date", "yes_no",
    ]  # fmt: skip
    assert version.questions[3]["choices"] == ["Neck", "Back"]
    assert version.questions[4]["scale_min"] == 0 and version.questions[4]["min_label"] == "Poor"
    assert version.questions[0]["required"] and not version.questions[1]["required"]

    last = version.questions[-1]["id"]
    client.post(edit_url, {"action": "up", "question": last})
    client.post(edit_url, {"action": "remove", "question": version.questions[1]["id"]})
    version.refresh_from_db()
    assert [question["kind"] for question in version.questions] == [
        "short_text", "single_choice", "multiple_choice", "scale", "yes_no", "date",
    ]  # fmt: skip
    assert version.number == 1  # nobody has answered: edited in place

    editor = client.get(edit_url)
    assert editor.status_code == 200
    assert b"Medication?" in editor.content


def test_a_bad_question_re_renders_with_the_reason(client):
    practitioner = practitioner_with_mfa()
    form = services.intake_form_create(practitioner=practitioner, title="F")
    client.force_login(practitioner.user)

    page = client.post(
        reverse("practice-intake-form", args=[form.pk]),
        {"action": "add", "kind": "single_choice", "label": "Pick", "choices": "Only one"},
    )

    assert page.status_code == 400
    assert b"at least two different choices" in page.content
    assert services.latest_version(form).questions == []


def test_changing_an_answered_form_makes_a_new_version_and_answers_keep_theirs():
    setup = intake_setup()
    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form),
    )
    answered = services.latest_version(setup.form)

    services.intake_question_add(form=setup.form, kind="short_text", label="New question")
    services.intake_question_add(form=setup.form, kind="short_text", label="Another")

    newest = services.latest_version(setup.form)
    assert (answered.number, newest.number) == (1, 2)  # one new version for both edits
    answered.refresh_from_db()
    assert len(answered.questions) == 7 and len(newest.questions) == 9
    response = setup.record.intake_responses.get()
    assert response.form_version_id == answered.pk


def test_another_practitioners_form_is_404(client):
    form = every_kind_form(practitioner_with_mfa())
    intruder = practitioner_with_mfa()
    client.force_login(intruder.user)

    assert client.get(reverse("practice-intake-form", args=[form.pk])).status_code == 404
    assert (
        client.post(
            reverse("practice-intake-form", args=[form.pk]), {"action": "remove"}
        ).status_code
        == 404
    )


def test_services_ask_for_a_form_a_typeform_or_nothing(client):
    practitioner = practitioner_with_mfa()
    service = ServiceFactory(practitioner=practitioner)
    form = every_kind_form(practitioner)
    client.force_login(practitioner.user)
    url = reverse("practice-intake")

    client.post(url, {"action": "attach", "service": service.pk, "intake": f"form:{form.pk}"})
    assert ServiceIntake.objects.get(service=service).form == form

    client.post(
        url,
        {
            "action": "attach",
            "service": service.pk,
            "intake": "typeform",
            "typeform_form_id": "tF01ab",
        },
    )
    link = ServiceIntake.objects.get(service=service)
    assert (link.form, link.typeform_form_id) == (None, "tF01ab")
    assert len(link.typeform_secret) >= 40
    page = client.get(url)
    assert link.typeform_secret.encode() in page.content  # shown to its practitioner

    client.post(url, {"action": "attach", "service": service.pk, "intake": "none"})
    assert not ServiceIntake.objects.filter(service=service).exists()


def test_a_service_or_form_of_someone_else_cannot_be_attached(client):
    practitioner = practitioner_with_mfa()
    other = practitioner_with_mfa()
    foreign_form = every_kind_form(other)
    service = ServiceFactory(practitioner=practitioner)

    with pytest.raises(IntakeNotAsked):
        services.service_intake_set(practitioner=practitioner, service=service, form=foreign_form)
    with pytest.raises(QuestionInvalid):
        services.service_intake_set(
            practitioner=practitioner, service=service, typeform_form_id="bad id/../"
        )
    client.force_login(practitioner.user)
    page = client.post(
        reverse("practice-intake"),
        {"action": "attach", "service": ServiceFactory(practitioner=other).pk, "intake": "none"},
    )
    assert page.status_code == 404
