"""The identity step's service (practitioner_identity_update) applies identity.py's rules
whoever calls it, the document type reaches the KYC adapter, and the identity values are
encrypted at rest: a canary written through the service is nowhere in the database in
plaintext, checked on the SQLite database file or on a pg_dump of the PostgreSQL test
database, whichever engine the run uses."""

import datetime as dt
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from integrations.kyc.local import LocalKyc
from marketplace.practitioners.models import PractitionerProfile
from marketplace.practitioners.services import practitioner_identity_update, practitioner_submit
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ready_for_review

TODAY = dt.date(2026, 12, 7)


def _identity(**overrides) -> dict:
    data = {
        "legal_given_name": " Nia  Rose ",
        "legal_family_name": "New",
        "date_of_birth": dt.date(1990, 5, 17),
        "country": "gb",
        "identity_document_type": "passport",
        "identity_document_number": " p765 4321 ",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_service_normalises_what_it_stores():
    draft = PractitionerProfileFactory(status=PractitionerProfile.Status.DRAFT)

    practitioner_identity_update(practitioner=draft, today=TODAY, **_identity())

    draft.refresh_from_db()
    assert (draft.legal_given_name, draft.legal_family_name) == ("Nia Rose", "New")
    assert (draft.country, draft.identity_document_type) == ("GB", "passport")
    assert draft.identity_document_number == "P7654321"


@pytest.mark.django_db
def test_the_service_refuses_invalid_identity_naming_each_field():
    draft = PractitionerProfileFactory(status=PractitionerProfile.Status.DRAFT)

    with pytest.raises(ValidationError) as error:
        practitioner_identity_update(
            practitioner=draft,
            today=TODAY,
            **_identity(
                legal_given_name="  ",
                date_of_birth=dt.date(2010, 1, 1),
                country="XX",
                identity_document_type="driving_licence",
                identity_document_number="AB-1",
            ),
        )

    assert error.value.message_dict == {
        "legal_given_name": ["Enter the name as it is on your document."],
        "date_of_birth": ["You must be at least 18 years old to practise on Aeyia."],
        "country": ["Choose the country from the list."],
        "identity_document_number": ["A driving licence number is 5 to 20 letters and digits."],
    }
    draft.refresh_from_db()
    assert draft.country == "" and draft.date_of_birth is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_of_birth": dt.date(2026, 12, 8)}, "date_of_birth"),
        ({"date_of_birth": dt.date(1900, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"identity_document_type": "library_card"}, "identity_document_type"),
    ],
)
def test_the_service_refuses_dates_and_types_the_form_would(overrides, field):
    draft = PractitionerProfileFactory(status=PractitionerProfile.Status.DRAFT)
    with pytest.raises(ValidationError) as error:
        practitioner_identity_update(practitioner=draft, today=TODAY, **_identity(**overrides))
    assert list(error.value.message_dict) == [field]


@pytest.mark.django_db
def test_eighteen_on_the_day_is_accepted_by_the_service():
    draft = PractitionerProfileFactory(status=PractitionerProfile.Status.DRAFT)
    practitioner_identity_update(
        practitioner=draft, today=TODAY, **_identity(date_of_birth=dt.date(2008, 12, 7))
    )
    draft.refresh_from_db()
    assert draft.date_of_birth == dt.date(2008, 12, 7)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document_type", "sent"),
    [
        ("passport", "PASSPORT"),
        ("driving_licence", "DRIVERS_LICENSE"),
        ("national_id", "NATIONAL_ID"),
    ],
)
def test_the_document_type_reaches_the_kyc_check(
    document_type, sent, django_capture_on_commit_callbacks
):
    LocalKyc.reset()
    draft = PractitionerProfileFactory(status=PractitionerProfile.Status.DRAFT)
    ready_for_review(draft)
    draft.identity_document_type = document_type
    draft.save(update_fields=["identity_document_type"])

    with django_capture_on_commit_callbacks(execute=True):
        practitioner_submit(practitioner=draft)

    (call,) = LocalKyc.calls
    assert call.person.document_type == sent
    assert call.person.document_number == "P1234567"
    LocalKyc.reset()


# --- canary: the plaintext is not in the database -------------------------------------


def _database_bytes() -> bytes:
    """Everything the database holds, as bytes: the SQLite file (and its write-ahead
    log), or a data-only pg_dump of the PostgreSQL test database."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(FULL)")
        path = Path(settings["NAME"])
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(file.read_bytes() for file in files if file.exists())
    assert connection.vendor == "postgresql"
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump (postgresql-client) is needed to check the PostgreSQL canary"
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [pg_dump, "--data-only", "--no-owner", "--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command += [option, str(settings[key])]
    done = subprocess.run(command, env=env, capture_output=True, check=True, timeout=120)  # noqa: S603
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_canary_identity_values_are_not_in_the_database_in_plaintext():
    # Letters outside hex and digits, so no uuid, hash or token in the dump matches by chance.
    canary = "".join(secrets.choice("GHJKLMNPQRSTVWXYZ") for _ in range(7))
    number = f"CN{canary}"  # a 9-character passport number
    given, family = f"Canarygiven{canary}", f"Canaryfamily{canary}"
    born = dt.date(1931, 2, 27)  # a date no fixture uses
    draft = PractitionerProfileFactory(status=PractitionerProfile.Status.DRAFT)

    practitioner_identity_update(
        practitioner=draft,
        today=TODAY,
        **_identity(
            legal_given_name=given,
            legal_family_name=family,
            date_of_birth=born,
            identity_document_number=number,
        ),
    )

    dump = _database_bytes()
    # The row is there (its plain country and document type are), and what it decrypts to
    # is the canary, so the test would see a plaintext copy if one existed.
    fresh = PractitionerProfile.objects.get(pk=draft.pk)
    assert (fresh.identity_document_number, fresh.legal_given_name) == (number, given)
    assert fresh.slug.encode() in dump
    for plaintext in (number, given, family, "1931-02-27", "19310227", "27/02/1931"):
        assert plaintext.encode() not in dump, f"{plaintext} is stored in plaintext"
        assert plaintext.lower().encode() not in dump.lower()
