"""Fixtures for the push tests."""

import pytest

from tests.notifications.push.support import PushServicePeer


@pytest.fixture
def push_service(settings):
    """A running peer, with the settings that let the sender reach it (loopback endpoints
    accepted, and the guarded fetch allowed to connect to 127.0.0.1)."""
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = True
    settings.GUARDED_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    peer = PushServicePeer()
    yield peer
    peer.stop()
