import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from integrations.video.turn import ice_servers, turn_configured, turn_credential

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def turn(settings):
    settings.STUN_URLS = ["stun:turn.example.test:3478"]
    settings.TURN_URLS = ["turn:turn.example.test:3478", "turns:turn.example.test:5349"]
    settings.TURN_SECRET = "north-sea-kelp"
    settings.TURN_TTL = 3600
    return settings


def test_known_vector_computed_independently():
    # Computed outside Python: printf '1796643600:user-42' |
    #   openssl dgst -sha1 -hmac north-sea-kelp -binary | base64
    assert (
        turn_credential(secret="north-sea-kelp", username="1796643600:user-42")
        == "OPl5EYkkZs7JVXaWkCAXMvsnefI="
    )


def test_username_is_expiry_then_hint_and_credential_is_hmac_sha1(turn):
    servers = ice_servers(username_hint="user-42", now=NOW)
    assert servers[0] == {"urls": ["stun:turn.example.test:3478"]}
    relay = servers[1]
    assert relay["urls"] == ["turn:turn.example.test:3478", "turns:turn.example.test:5349"]
    expiry = int(NOW.timestamp()) + 3600
    assert relay["username"] == f"{expiry}:user-42"
    expected = base64.b64encode(
        hmac.new(b"north-sea-kelp", relay["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert relay["credential"] == expected


def test_credentials_expire_after_the_ttl(turn):
    turn.TURN_TTL = 90
    username = ice_servers(username_hint="user-42", now=NOW)[1]["username"]
    assert int(username.split(":")[0]) == int(NOW.timestamp()) + 90


def test_a_different_secret_gives_a_different_credential(turn):
    first = ice_servers(username_hint="user-42", now=NOW)[1]["credential"]
    turn.TURN_SECRET = "another-secret"
    assert ice_servers(username_hint="user-42", now=NOW)[1]["credential"] != first


def test_without_turn_only_stun_is_offered(turn):
    turn.TURN_SECRET = ""
    assert ice_servers(username_hint="user-42", now=NOW) == [
        {"urls": ["stun:turn.example.test:3478"]}
    ]
    assert turn_configured() is False
    turn.STUN_URLS = []
    assert ice_servers(username_hint="user-42", now=NOW) == []


def test_a_hint_with_a_colon_is_refused(turn):
    with pytest.raises(ValueError):
        ice_servers(username_hint="1:user-42", now=NOW)
