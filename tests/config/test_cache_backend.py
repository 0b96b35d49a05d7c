"""config.cache_backend: a Redis nobody answers on reads as misses and no-op writes, is
then left alone for a pause, is logged once per outage, and raises for the callers that
must fail closed. The drills with a real Redis going down are in test_cache_outage.py."""

import logging
import os
import socket
import subprocess
import sys

import pytest
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from accounts.adapters import AccountAdapter
from config import cache_backend
from config.cache_backend import (
    CacheUnavailable,
    FailSoftRedisCache,
    cache_is_available,
    cache_probe,
    cache_required,
)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_outage_memory(monkeypatch):
    monkeypatch.setattr(cache_backend, "_states", {})


def _unreachable(pause_seconds: float = 60) -> FailSoftRedisCache:
    return FailSoftRedisCache(
        f"redis://127.0.0.1:{_closed_port()}/0",
        {
            "KEY_PREFIX": "unit",
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                "outage_pause_seconds": pause_seconds,
            },
        },
    )


def test_an_outage_reads_as_misses_and_writes_do_nothing():
    backend = _unreachable()

    assert backend.get("k") is None
    assert backend.get("k", "fallback") == "fallback"
    assert backend.get_or_set("k", "computed") == "computed"
    assert backend.add("k", 1) is False  # "someone else holds it": locks stay shut
    assert backend.set("k", 1) is None
    assert backend.touch("k") is False
    assert backend.delete("k") is False
    assert backend.get_many(["a", "b"]) == {}
    assert backend.has_key("k") is False
    assert backend.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert backend.delete_many(["a", "b"]) is None
    assert backend.clear() is False
    with pytest.raises(ValueError, match="not found"):
        backend.incr("k")
    with pytest.raises(ValueError, match="not found"):
        backend.decr("k")


def test_after_a_failure_redis_is_left_alone_for_the_pause(monkeypatch):
    backend = _unreachable()
    client = backend._cache
    calls = []
    real_get = client.get

    def counting_get(*args):
        calls.append(args)
        return real_get(*args)

    monkeypatch.setattr(client, "get", counting_get)

    assert cache_is_available() is True  # the test settings' cache is untouched
    assert backend.is_available is True
    for _ in range(5):
        assert backend.get("k") is None

    assert len(calls) == 1
    assert backend.is_available is False


def test_without_a_pause_every_call_tries_redis_again():
    backend = _unreachable(pause_seconds=0)
    backend.get("k")

    assert backend.is_available is True


def test_an_outage_is_logged_once_not_per_call(caplog):
    backend = _unreachable(pause_seconds=0)  # every call reaches the dead server

    with caplog.at_level(logging.INFO, logger="config.cache_backend"):
        for _ in range(20):
            backend.get("k")
            backend.set("k", 1)

    records = [r for r in caplog.records if r.name == "config.cache_backend"]
    assert len(records) == 1
    assert "unavailable" in records[0].getMessage()
    assert "ConnectionError" in records[0].getMessage()


def test_the_log_line_names_the_host_but_not_the_password(caplog):
    backend = FailSoftRedisCache(
        f"redis://:s3cret-pass@127.0.0.1:{_closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 1}},
    )

    with caplog.at_level(logging.WARNING, logger="config.cache_backend"):
        backend.get("k")

    assert "127.0.0.1" in caplog.text
    assert "s3cret-pass" not in caplog.text


def test_callers_that_need_the_cache_get_an_error_not_a_miss():
    backend = _unreachable()

    with cache_required(), pytest.raises(CacheUnavailable):
        backend.add("lock", 1)
    # Now paused: still an error, without waiting on Redis.
    with cache_required(), pytest.raises(CacheUnavailable):
        backend.get("counter")
    # Outside the block the same call is a miss again.
    assert backend.get("counter") is None


def test_a_probe_reaches_redis_even_during_the_pause(monkeypatch):
    backend = _unreachable()
    backend.get("k")
    assert backend.is_available is False
    calls = []
    real_set = backend._cache.set
    monkeypatch.setattr(backend._cache, "set", lambda *a: calls.append(a) or real_set(*a))

    with cache_probe(), pytest.raises(CacheUnavailable):
        backend.set("readyz", "1")

    assert len(calls) == 1


def test_errors_that_are_not_an_outage_still_raise(monkeypatch):
    """A bug (a value that cannot be pickled, a wrong type) must not hide as a miss."""
    backend = _unreachable()

    def broken(*args):
        raise TypeError("cannot pickle")

    monkeypatch.setattr(backend._cache, "set", broken)

    with pytest.raises(TypeError):
        backend.set("k", object())


@pytest.mark.django_db
def test_sign_in_fails_closed_when_the_failed_login_counter_cannot_be_read(monkeypatch):
    """allauth's own sign-in page refuses first (test_cache_outage); this is the adapter's
    guard for every other path that counts failed sign-ins (headless, reauthentication)."""
    backend = _unreachable()
    monkeypatch.setattr("allauth.core.internal.ratelimit.cache", backend)
    request = RequestFactory().post("/accounts/login/")
    request.user = None

    with allauth_context.request_context(request), pytest.raises(ValidationError) as error:
        AccountAdapter(request).pre_authenticate(request, email="ada@example.org", password="x")

    assert "unavailable for a moment" in str(error.value)


def test_settings_use_the_fail_soft_cache_on_redis_and_database_sessions(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )

    assert result.stdout.split() == [
        "config.cache_backend.FailSoftRedisCache",
        "django.contrib.sessions.backends.db",
    ]
