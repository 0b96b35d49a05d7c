"""Encryption at rest: one Fernet keyring builder and the encrypted model fields.

Lives in accounts because it is the lowest layer: the MFA adapter (TOTP secrets) and every
app above (practitioner identity, lead messages) share it. Keys come from settings as
comma-separated Fernet keys; the first encrypts and all decrypt (MultiFernet), so a key is
rotated by putting the new one first, re-saving the rows (`manage.py encrypted_fields_rotate`)
and then dropping the old one. See docs/decisions/0023-erasure-and-field-encryption.md."""

import base64
import datetime as dt
import hashlib
import hmac
import json
from functools import lru_cache
from typing import cast

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.dispatch import Signal

# Every Fernet token starts with the version byte 0x80, base64url-encoded as "gAAAAA".
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (a format marker, not a secret)


class FieldDecryptionError(Exception):
    """A stored value could not be decrypted with any configured key: the key it was
    written with is missing from the settings, or the column was changed outside Django.
    Raised instead of handing back ciphertext or an empty value as if it were data."""


def keyring(*, keys: list[str] | tuple[str, ...], derive_label: str) -> MultiFernet:
    """A MultiFernet over `keys` (first encrypts, all decrypt). With no keys, one key is
    derived from SECRET_KEY and `derive_label` so the embedded default needs no setup; the
    production deploy check refuses that."""
    return _keyring(tuple(keys), derive_label, settings.SECRET_KEY)


def _keys_or_derived(keys: tuple[str, ...], derive_label: str, secret_key: str) -> tuple[str, ...]:
    if keys:
        return keys
    digest = hashlib.sha256(derive_label.encode() + secret_key.encode()).digest()
    return (base64.urlsafe_b64encode(digest).decode(),)


@lru_cache(maxsize=16)
def _keyring(keys: tuple[str, ...], derive_label: str, secret_key: str) -> MultiFernet:
    keys = _keys_or_derived(keys, derive_label, secret_key)
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "An encryption key is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from error


FIELD_KEYS_LABEL = "aeyia.field-encryption:"


def field_keyring() -> MultiFernet:
    """The keys for encrypted model fields: FIELD_ENCRYPTION_KEYS."""
    return keyring(keys=settings.FIELD_ENCRYPTION_KEYS, derive_label=FIELD_KEYS_LABEL)


# Sent by `encrypted_values_rotate` (inside its transaction) after every encrypted column
# was rewritten under the first key: apps that keep lookup digests recompute them.
field_keys_rotated = Signal()


def lookup_digests(value: str) -> list[str]:
    """Keyed hashes (HMAC-SHA256, hex) of `value` under every FIELD_ENCRYPTION_KEYS key,
    the first key's first: an indexed column can then find rows by an encrypted value
    (an email) without decrypting them. Store `lookup_digests(v)[0]`; search with them
    all, so rows hashed under an older key are still found until the rotation command
    rehashed them. The HMAC key is derived from each Fernet key (never the Fernet key
    itself): HMAC-SHA256(fernet key bytes, "aeyia.lookup-digest"). With no keys set it
    comes from the SECRET_KEY-derived fallback key, like the keyring."""
    keys = _keys_or_derived(
        tuple(settings.FIELD_ENCRYPTION_KEYS), FIELD_KEYS_LABEL, settings.SECRET_KEY
    )
    digests = []
    for key in keys:
        hmac_key = hmac.new(
            base64.urlsafe_b64decode(key), b"aeyia.lookup-digest", hashlib.sha256
        ).digest()
        digests.append(hmac.new(hmac_key, value.encode(), hashlib.sha256).hexdigest())
    return digests


def encrypt_text(value: str) -> str:
    return field_keyring().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return field_keyring().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise FieldDecryptionError(
            "An encrypted field could not be decrypted with FIELD_ENCRYPTION_KEYS: the key "
            "it was written with is not configured (keep old keys after the new one until "
            "every row is re-encrypted)."
        ) from error


def rotate_text(token: str) -> str:
    """Re-encrypts a stored token under the first key (MultiFernet.rotate)."""
    try:
        return field_keyring().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise FieldDecryptionError("A stored value is not readable with any key.") from error


class _EncryptedMixin:
    """Stores `str(value)` Fernet-encrypted in a text column. An empty value is stored as
    "" (nothing to hide but that it is blank) and None as NULL.

    Fernet tokens are randomised, so the database cannot compare them: every lookup but
    `isnull` is refused with an error instead of silently matching nothing."""

    def get_internal_type(self) -> str:
        return "TextField"

    def _serialise(self, value) -> str:
        return str(value)

    def _deserialise(self, text: str):
        return text

    def get_prep_value(self, value):
        value = super().get_prep_value(value)  # type: ignore[misc]
        if value is None or value == "":
            return value
        return encrypt_text(self._serialise(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self._deserialise(decrypt_text(value))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def get_transform(self, lookup_name):
        return None


class EncryptedTextField(_EncryptedMixin, models.TextField):
    """A TextField whose value is Fernet-encrypted in the database. `max_length` is
    checked on the plaintext (forms and full_clean), not on the longer token."""


class EncryptedDateField(_EncryptedMixin, models.DateField):
    """A date kept encrypted as its ISO form. The database sees text, so no date query
    (ranges, ordering, extracting the year) works on it: compare in Python."""

    def _serialise(self, value) -> str:
        return value.isoformat()

    def _deserialise(self, text: str):
        return dt.date.fromisoformat(text)

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return encrypt_text(self._serialise(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.DateField, **kwargs})


class EncryptedJSONField(_EncryptedMixin, models.JSONField):
    """A JSONField whose whole value is one Fernet token in a text column: serialised with
    `encoder` (DjangoJSONEncoder by default: dates, decimals, UUIDs), read back with
    json.loads. No key, containment or other JSON lookup works on it (only `isnull`);
    NULL stays NULL, and every other value, even {} or "", is encrypted."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("encoder", DjangoJSONEncoder)
        super().__init__(*args, **kwargs)

    def _serialise(self, value) -> str:
        return json.dumps(value, cls=self.encoder)

    def _deserialise(self, text: str):
        return json.loads(text, cls=self.decoder)

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt_text(self._serialise(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self._deserialise(decrypt_text(value))


def encrypt_existing_values(apps, schema_editor, *, model: str, fields: tuple[str, ...]) -> None:
    """Data-migration step: encrypts, in place, every stored value of `fields` that is not
    already a Fernet token. Reads and writes the raw column (the historical model would
    try to decrypt plaintext), so it is safe to run twice."""
    _rewrite_values(
        apps,
        schema_editor,
        model=model,
        fields=fields,
        rewrite=lambda value: None if value.startswith(TOKEN_PREFIX) else encrypt_text(value),
    )


def decrypt_existing_values(apps, schema_editor, *, model: str, fields: tuple[str, ...]) -> None:
    """The reverse step: writes the plaintext back before the column type is restored."""
    _rewrite_values(
        apps,
        schema_editor,
        model=model,
        fields=fields,
        rewrite=lambda value: decrypt_text(value) if value.startswith(TOKEN_PREFIX) else None,
    )


def _rewrite_values(apps, schema_editor, *, model: str, fields: tuple[str, ...], rewrite) -> None:
    model_class = apps.get_model(model)
    table = schema_editor.quote_name(model_class._meta.db_table)
    primary_key = schema_editor.quote_name(model_class._meta.pk.column)
    with schema_editor.connection.cursor() as cursor:
        for name in fields:
            column = schema_editor.quote_name(model_class._meta.get_field(name).column)
            cursor.execute(f"SELECT {primary_key}, {column} FROM {table}")  # noqa: S608
            rows = []
            for row_id, value in cursor.fetchall():
                if value in (None, ""):
                    continue
                text = value.isoformat() if isinstance(value, dt.date) else str(value)
                rewritten = rewrite(text)
                if rewritten is not None:
                    rows.append((rewritten, row_id))
            if rows:
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE {primary_key} = %s",  # noqa: S608
                    rows,
                )


def encrypted_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every concrete encrypted field of every installed model."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, _EncryptedMixin) and field.model is model
    ]


def encrypted_values_rotate() -> int:
    """Re-encrypts every stored encrypted value under the first FIELD_ENCRYPTION_KEYS key
    (after a new key was put first); returns how many values were rewritten. The old key
    may be removed from the settings once this has run."""
    from django.db import connection, transaction

    rewritten = 0
    with transaction.atomic():
        for model, field in encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            primary_key = connection.ops.quote_name(cast(str, model._meta.pk.column))
            column = connection.ops.quote_name(cast(str, field.column))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {primary_key}, {column} FROM {table} "  # noqa: S608
                    f"WHERE {column} IS NOT NULL AND {column} <> ''"
                )
                rows = [(rotate_text(value), row_id) for row_id, value in cursor.fetchall()]
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE {primary_key} = %s",  # noqa: S608
                    rows,
                )
            rewritten += len(rows)
        field_keys_rotated.send(sender=encrypted_values_rotate)
    return rewritten
