"""The local key service: AES-GCM wrapping under master keys from settings, the context
bound to each wrapped key, rotation to the first key, and configuration errors."""

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from integrations.kms import get_kms
from integrations.kms.local import DERIVED_KEY_ID, LocalKms
from integrations.kms.types import KmsDecryptError

CONTEXT = {"purpose": "client_document", "record": "3", "object": "client-documents/x"}


def master(key_id: str) -> str:
    return f"{key_id}={base64.b64encode(os.urandom(32)).decode()}"


def test_the_factory_serves_the_local_adapter_by_default():
    assert isinstance(get_kms(), LocalKms)


def test_a_data_key_round_trips_under_the_first_master_key(settings):
    settings.KMS_LOCAL_MASTER_KEYS = [master("k2"), master("k1")]
    kms = LocalKms()

    data_key = kms.generate_data_key(context=CONTEXT)

    assert data_key.key_id == "k2"
    assert len(data_key.plaintext) == 32
    assert data_key.plaintext not in data_key.wrapped
    assert kms.decrypt_data_key(wrapped_key=data_key.wrapped, key_id="k2", context=CONTEXT) == (
        data_key.plaintext
    )


@pytest.mark.parametrize(
    "change",
    [
        {"context": {**CONTEXT, "record": "4"}},
        {"key_id": "k1"},
        {"flip": True},
        {"key_id": "missing"},
    ],
)
def test_a_wrapped_key_opens_only_unaltered_under_its_key_and_context(settings, change):
    settings.KMS_LOCAL_MASTER_KEYS = [master("k2"), master("k1")]
    kms = LocalKms()
    data_key = kms.generate_data_key(context=CONTEXT)
    wrapped = bytearray(data_key.wrapped)
    if change.get("flip"):
        wrapped[20] ^= 0x01

    with pytest.raises(KmsDecryptError):
        kms.decrypt_data_key(
            wrapped_key=bytes(wrapped),
            key_id=change.get("key_id", "k2"),
            context=change.get("context", CONTEXT),
        )


def test_rewrap_moves_a_data_key_to_the_new_first_key(settings):
    old = master("2026-01")
    settings.KMS_LOCAL_MASTER_KEYS = [old]
    data_key = LocalKms().generate_data_key(context=CONTEXT)
    settings.KMS_LOCAL_MASTER_KEYS = [master("2026-07"), old]

    rewrapped = LocalKms().rewrap_data_key(
        wrapped_key=data_key.wrapped, key_id="2026-01", context=CONTEXT
    )

    assert rewrapped.key_id == "2026-07"
    settings.KMS_LOCAL_MASTER_KEYS = [settings.KMS_LOCAL_MASTER_KEYS[0]]  # old key dropped
    assert (
        LocalKms().decrypt_data_key(
            wrapped_key=rewrapped.wrapped, key_id="2026-07", context=CONTEXT
        )
        == data_key.plaintext
    )


def test_without_keys_one_is_derived_from_the_secret_key(settings):
    settings.KMS_LOCAL_MASTER_KEYS = []
    kms = LocalKms()
    data_key = kms.generate_data_key(context=CONTEXT)
    assert data_key.key_id == DERIVED_KEY_ID
    assert (
        kms.decrypt_data_key(wrapped_key=data_key.wrapped, key_id=DERIVED_KEY_ID, context=CONTEXT)
        == data_key.plaintext
    )


@pytest.mark.parametrize(
    "entries",
    [
        ["no-separator"],
        ["short=" + base64.b64encode(b"x" * 16).decode()],
        [master("a"), master("a")],
    ],
)
def test_malformed_master_keys_are_a_configuration_error(settings, entries):
    settings.KMS_LOCAL_MASTER_KEYS = entries
    with pytest.raises(ImproperlyConfigured):
        LocalKms().current_key_id()
