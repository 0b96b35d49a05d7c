"""Canary: intake answers (our own form and a Typeform delivery, its stored body too) and a
Typeform link's webhook secret are not in the database in plaintext: the SQLite file or a
pg_dump of the PostgreSQL test database is searched (the identity canary's helper)."""

import secrets

import pytest
from django.utils import timezone

from integrations.typeform.signatures import sign
from marketplace.clients.intake import services
from marketplace.clients.intake.models import IntakeResponse, ServiceIntake, TypeformEvent
from marketplace.clients.intake.references import booking_reference
from marketplace.clients.intake.webhooks import receive
from tests.integrations.typeform.support import answer, form_response, webhook_body
from tests.marketplace.clients.intake.support import good_answers, ids, intake_setup
from tests.marketplace.practitioners.test_identity import _database_bytes


@pytest.mark.django_db(transaction=True)
def test_canary_answers_are_not_in_the_database_in_plaintext():
    # Letters outside hex and digits, so no uuid, hash or token in the dump matches by chance.
    canary = "".join(secrets.choice("GHJKLMNPQRSTVWXYZ") for _ in range(8))
    own = intake_setup()
    services.intake_response_submit(
        record=own.record,
        user=own.client,
        booking_id=own.booking.pk,
        raw_answers={
            **good_answers(own.form, text=f"Longtext{canary}"),
            ids(own.form)["short_text"]: f"Short{canary}",
        },
    )
    linked = intake_setup(typeform="tfCanary")
    secret = ServiceIntake.objects.get(service=linked.service).typeform_secret
    body = webhook_body(
        form_response(
            form_id="tfCanary",
            token="tokCanary",
            submitted_at=timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            hidden={"booking": booking_reference(linked.booking.pk)},
            answers=[answer("why", "text", f"Typeform{canary}")],
        )
    )
    receive(body, sign(body, secret))  # processed after commit (eager outbox)

    dump = _database_bytes()
    assert IntakeResponse.objects.count() == 2
    assert TypeformEvent.objects.get().status == TypeformEvent.Status.PROCESSED
    assert b"tokCanary" in dump  # the rows are in the dump
    for plaintext in (f"Longtext{canary}", f"Short{canary}", f"Typeform{canary}", secret):
        assert plaintext.encode() not in dump, f"{plaintext} is stored in plaintext"
        assert plaintext.lower().encode() not in dump.lower()
