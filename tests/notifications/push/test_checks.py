"""The deploy check for web push (aeyia.E081-E083)."""

import pytest

from config.checks import check_production_webpush
from config.settings.components.webpush import vapid_public_key_for
from tests.notifications.push.support import b64url


def _ids(errors) -> set[str]:
    return {error.id for error in errors}


@pytest.fixture
def production_keys(settings):
    private = b64url(bytes(range(1, 33)))
    settings.WEBPUSH_VAPID_KEYS_FROM_ENVIRONMENT = True
    settings.WEBPUSH_VAPID_PRIVATE_KEY = private
    settings.WEBPUSH_VAPID_PUBLIC_KEY = vapid_public_key_for(private)
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:support@aeyia.example.org"
    return settings


def test_keys_from_the_environment_and_a_real_subject_pass(production_keys):
    assert check_production_webpush(None) == []


def test_a_key_generated_on_the_machine_is_refused(production_keys):
    production_keys.WEBPUSH_VAPID_KEYS_FROM_ENVIRONMENT = False
    assert _ids(check_production_webpush(None)) == {"aeyia.E081"}


def test_a_public_key_of_another_pair_is_refused(production_keys):
    production_keys.WEBPUSH_VAPID_PUBLIC_KEY = vapid_public_key_for(b64url(bytes(range(2, 34))))
    assert _ids(check_production_webpush(None)) == {"aeyia.E082"}


def test_an_unreadable_private_key_is_refused(production_keys):
    production_keys.WEBPUSH_VAPID_PRIVATE_KEY = "not a key"
    assert _ids(check_production_webpush(None)) == {"aeyia.E082"}


@pytest.mark.parametrize(
    "subject",
    ["", "support@aeyia.example.org", "mailto:support@aeyia.local", "http://aeyia.example.org"],
)
def test_the_subject_must_be_a_reachable_contact(production_keys, subject):
    production_keys.WEBPUSH_VAPID_SUBJECT = subject
    assert _ids(check_production_webpush(None)) == {"aeyia.E083"}


def test_the_embedded_default_generates_a_working_pair_once(settings, tmp_path, monkeypatch):
    """make run without keys: a private key is written to var/ once, and the public key
    the pages give browsers is its own."""
    from config.settings.components import webpush

    monkeypatch.setattr(webpush, "VAR_DIR", tmp_path)
    first = webpush._local_vapid_private_key()
    assert webpush._local_vapid_private_key() == first
    assert (tmp_path / "webpush_vapid_private_key").stat().st_mode & 0o777 == 0o600
    assert len(vapid_public_key_for(first)) == 87  # 65 bytes, base64url
    assert settings.WEBPUSH_VAPID_PUBLIC_KEY == vapid_public_key_for(
        settings.WEBPUSH_VAPID_PRIVATE_KEY
    )
