"""The deploy check for session rooms' video (config.checks.check_production_video)."""

import pytest

from config.checks import check_production_video

LOCAL = "integrations.video.local.LocalVideoProvider"
CHIME = "integrations.video.live.ChimeVideoProvider"
STRONG = "Zr6q0y3mVQm8bP2kX4rW9sT1uY7eN5aL"


def ids(errors) -> set[str]:
    return {error.id for error in errors}


@pytest.fixture
def production(settings):
    settings.VIDEO_PROVIDER = LOCAL
    settings.TURN_URLS = ["turn:turn.aeyia.example.org:3478"]
    settings.TURN_SECRET = STRONG
    settings.CHIME_RECORDING_BUCKET = "aeyia-recordings"
    return settings


def test_peer_to_peer_with_a_turn_server_passes(production):
    assert check_production_video(None) == []


@pytest.mark.parametrize(("setting", "value"), [("TURN_URLS", []), ("TURN_SECRET", "")])
def test_peer_to_peer_without_a_turn_server_is_refused(production, setting, value):
    setattr(production, setting, value)
    assert "aeyia.E092" in ids(check_production_video(None))


@pytest.mark.parametrize("secret", ["short", "replace-with-" + "x" * 40])
def test_a_weak_or_example_turn_secret_is_refused(production, secret):
    production.TURN_SECRET = secret
    assert ids(check_production_video(None)) == {"aeyia.E093"}


def test_chime_needs_no_turn_server_but_warns_without_a_recording_bucket(production):
    production.VIDEO_PROVIDER = CHIME
    production.TURN_URLS = []
    production.TURN_SECRET = ""
    assert check_production_video(None) == []
    production.CHIME_RECORDING_BUCKET = ""
    assert ids(check_production_video(None)) == {"aeyia.W094"}


def test_an_adapter_that_cannot_be_imported_is_refused(production):
    production.VIDEO_PROVIDER = "integrations.video.nowhere.Provider"
    assert ids(check_production_video(None)) == {"aeyia.E091"}
