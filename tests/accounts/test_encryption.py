"""Encrypted model fields (accounts.encryption): the database column never holds the
plaintext, keys rotate, and a missing key is a clear error rather than garbage."""

import datetime as dt
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from accounts.encryption import (
    TOKEN_PREFIX,
    FieldDecryptionError,
    decrypt_text,
    encrypt_existing_values,
)
from marketing_site.leads.models import Lead
from marketplace.practitioners.models import PractitionerProfile
from tests.marketing_site.leads.factories import LeadFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

pytestmark = pytest.mark.django_db


def _raw(model, pk, column: str):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def _key() -> str:
    return Fernet.generate_key().decode()


def _identity(**fields) -> PractitionerProfile:
    practitioner = PractitionerProfileFactory()
    for name, value in fields.items():
        setattr(practitioner, name, value)
    practitioner.save()
    return practitioner


def test_the_columns_hold_tokens_and_the_model_reads_the_plaintext(settings):
    settings.FIELD_ENCRYPTION_KEYS = [_key()]
    practitioner = _identity(
        identity_document_number="P7654321", date_of_birth=dt.date(1990, 5, 17)
    )
    lead = LeadFactory(message="I have been struggling with panic attacks")

    raw_number = _raw(PractitionerProfile, practitioner.pk, "identity_document_number")
    raw_born = _raw(PractitionerProfile, practitioner.pk, "date_of_birth")
    raw_message = _raw(Lead, lead.pk, "message")

    for raw, plaintext in (
        (raw_number, "P7654321"),
        (raw_born, "1990-05-17"),
        (raw_message, "panic attacks"),
    ):
        assert raw.startswith(TOKEN_PREFIX)
        assert plaintext not in raw
    assert "1990" not in raw_born
    fresh = PractitionerProfile.objects.get(pk=practitioner.pk)
    assert fresh.identity_document_number == "P7654321"
    assert fresh.date_of_birth == dt.date(1990, 5, 17)
    assert Lead.objects.get(pk=lead.pk).message == "I have been struggling with panic attacks"


def test_the_same_value_never_gives_the_same_token(settings):
    settings.FIELD_ENCRYPTION_KEYS = [_key()]
    first = _identity(identity_document_number="P1111111")
    second = _identity(identity_document_number="P1111111")

    assert _raw(PractitionerProfile, first.pk, "identity_document_number") != _raw(
        PractitionerProfile, second.pk, "identity_document_number"
    )


def test_blank_and_missing_values_stay_blank_and_null(settings):
    settings.FIELD_ENCRYPTION_KEYS = [_key()]
    practitioner = _identity(identity_document_number="", date_of_birth=None)

    assert _raw(PractitionerProfile, practitioner.pk, "identity_document_number") == ""
    assert _raw(PractitionerProfile, practitioner.pk, "date_of_birth") is None
    fresh = PractitionerProfile.objects.get(pk=practitioner.pk)
    assert (fresh.identity_document_number, fresh.date_of_birth) == ("", None)


def test_a_rotated_in_key_writes_while_the_old_key_still_reads(settings):
    old_key, new_key = _key(), _key()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    before = _identity(identity_document_number="OLD12345")

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    after = _identity(identity_document_number="NEW12345")

    assert PractitionerProfile.objects.get(pk=before.pk).identity_document_number == "OLD12345"
    new_token = _raw(PractitionerProfile, after.pk, "identity_document_number")
    assert Fernet(new_key).decrypt(new_token.encode()) == b"NEW12345"
    old_token = _raw(PractitionerProfile, before.pk, "identity_document_number")
    assert Fernet(old_key).decrypt(old_token.encode()) == b"OLD12345"


def test_the_rotate_command_rewrites_every_value_so_the_old_key_can_go(settings):
    old_key, new_key = _key(), _key()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    practitioner = _identity(identity_document_number="P2222222", date_of_birth=dt.date(1980, 1, 2))
    lead = LeadFactory(message="call me after six")

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("encrypted_fields_rotate")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]

    fresh = PractitionerProfile.objects.get(pk=practitioner.pk)
    assert (fresh.identity_document_number, fresh.date_of_birth) == (
        "P2222222",
        dt.date(1980, 1, 2),
    )
    assert Lead.objects.get(pk=lead.pk).message == "call me after six"


def test_a_value_written_under_a_key_that_is_gone_is_a_clear_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = [_key()]
    practitioner = _identity(identity_document_number="P3333333")

    settings.FIELD_ENCRYPTION_KEYS = [_key()]

    with pytest.raises(FieldDecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        PractitionerProfile.objects.get(pk=practitioner.pk)


def test_a_tampered_column_is_a_clear_error_not_garbage(settings):
    settings.FIELD_ENCRYPTION_KEYS = [_key()]
    practitioner = _identity(identity_document_number="P4444444")
    token = _raw(PractitionerProfile, practitioner.pk, "identity_document_number")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE practitioners_practitionerprofile SET identity_document_number = %s "
            "WHERE id = %s",
            [token[:-4] + "AAAA", practitioner.pk],
        )

    with pytest.raises(FieldDecryptionError):
        PractitionerProfile.objects.get(pk=practitioner.pk)


def test_queries_on_an_encrypted_field_are_refused_instead_of_matching_nothing():
    with pytest.raises(FieldError):
        list(PractitionerProfile.objects.filter(identity_document_number="P1234567"))
    with pytest.raises(FieldError):
        list(PractitionerProfile.objects.filter(date_of_birth__year=1990))
    assert not PractitionerProfile.objects.filter(date_of_birth__isnull=False).exists()


def test_the_data_migration_encrypts_existing_plaintext_once(settings):
    from django.apps import apps

    settings.FIELD_ENCRYPTION_KEYS = [_key()]
    practitioner = _identity()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE practitioners_practitionerprofile SET identity_document_number = %s, "
            "date_of_birth = %s WHERE id = %s",
            ["P5555555", "1975-12-31", practitioner.pk],
        )
    fields = ("date_of_birth", "identity_document_number")

    # What the migration's RunPython is handed (a real schema editor cannot open inside the
    # test's transaction on SQLite); the step uses only these two.
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)

    encrypt_existing_values(apps, editor, model="practitioners.PractitionerProfile", fields=fields)
    once = _raw(PractitionerProfile, practitioner.pk, "identity_document_number")
    encrypt_existing_values(apps, editor, model="practitioners.PractitionerProfile", fields=fields)

    assert _raw(PractitionerProfile, practitioner.pk, "identity_document_number") == once
    assert decrypt_text(once) == "P5555555"
    assert "1975" not in _raw(PractitionerProfile, practitioner.pk, "date_of_birth")
    fresh = PractitionerProfile.objects.get(pk=practitioner.pk)
    assert (fresh.identity_document_number, fresh.date_of_birth) == (
        "P5555555",
        dt.date(1975, 12, 31),
    )
