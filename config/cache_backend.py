"""The default cache: Redis, with an outage turned into misses instead of errors.

Everything on the request path that uses the cache (the marketing page cache, Wagtail's
site lookups, DRF's throttles, allauth's rate limits and used TOTP codes) goes through
`FailSoftRedisCache`. When Redis cannot be reached, reads answer as a miss, writes and
deletes do nothing, `add` answers False (someone else holds the key), `incr` raises
ValueError (no such key), and the site keeps serving from the database. After a failure
the process pauses the cache for a few seconds (OPTIONS["outage_pause_seconds"]) and
answers misses at once, so an outage does not make every request wait for a socket
timeout; the first call after the pause tries Redis again.

Callers for whom a miss would be the unsafe answer (rate limits that must fail closed:
sign-in, lead forms, voucher codes) wrap their cache calls in `cache_required()` and get
`CacheUnavailable` instead. The readiness check uses `cache_probe()`, which also reaches
Redis during a pause, so /readyz reports what is true now and its success ends the pause.
See docs/decisions/0019-cache-outage.md."""

from __future__ import annotations

import contextlib
import contextvars
import enum
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

# What an unreachable, restarting, failed-over or full Redis raises (ConnectionError
# covers refused and reset connections, authentication, the pool's limit and a server
# still loading its data). Anything else is a bug in the caller and still raises.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,
    redis_errors.OutOfMemoryError,
)
DEFAULT_OUTAGE_PAUSE_SECONDS = 5.0
# While an outage lasts, it is logged again at most this often per process.
OUTAGE_LOG_INTERVAL_SECONDS = 60.0


class CacheUnavailable(Exception):  # noqa: N818  (reads as the condition, like Http404)
    """The cache could not be reached and the caller needs it (see `cache_required`)."""


class _Mode(enum.Enum):
    SOFT = "soft"
    REQUIRED = "required"
    PROBE = "probe"


_mode: contextvars.ContextVar[_Mode] = contextvars.ContextVar("cache_mode", default=_Mode.SOFT)


@contextlib.contextmanager
def _use_mode(mode: _Mode) -> Iterator[None]:
    token = _mode.set(mode)
    try:
        yield
    finally:
        _mode.reset(token)


def cache_required() -> contextlib.AbstractContextManager[None]:
    """Inside this block a cache outage raises `CacheUnavailable` (also during a pause)
    instead of answering a miss: for counters whose miss would let everything through."""
    return _use_mode(_Mode.REQUIRED)


def cache_probe() -> contextlib.AbstractContextManager[None]:
    """Like `cache_required`, but reaches Redis even during a pause (readiness checks); a
    success ends the pause for this process."""
    return _use_mode(_Mode.PROBE)


def cache_is_available(alias: str = "default") -> bool:
    """False while this process has the cache paused after a failure. Caches that cannot
    fail (local memory) are always available."""
    return getattr(caches[alias], "is_available", True)


class _OutageState:
    """Per process and Redis location: since when it failed, and until when to skip it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paused_until = 0.0
        self.failing_since: float | None = None
        self.logged_at = 0.0

    def is_paused(self) -> bool:
        return time.monotonic() < self.paused_until

    def record_failure(self, error: Exception, *, pause_seconds: float, location: str) -> None:
        now = time.monotonic()
        with self.lock:
            self.paused_until = now + pause_seconds
            if self.failing_since is None:
                self.failing_since = now
                self.logged_at = now
                logger.warning(
                    "Cache %s unavailable (%s); serving without it, retrying every %g s.",
                    location,
                    type(error).__name__,
                    pause_seconds,
                )
            elif now - self.logged_at >= OUTAGE_LOG_INTERVAL_SECONDS:
                self.logged_at = now
                logger.warning(
                    "Cache %s still unavailable after %d s (%s).",
                    location,
                    now - self.failing_since,
                    type(error).__name__,
                )

    def record_success(self, *, location: str) -> None:
        if self.failing_since is None:  # the usual case: no lock on the hot path
            return
        with self.lock:
            if self.failing_since is None:
                return
            logger.info(
                "Cache %s is back after %d s.", location, time.monotonic() - self.failing_since
            )
            self.failing_since = None
            self.paused_until = 0.0


_states: dict[tuple[str, ...], _OutageState] = {}
_states_lock = threading.Lock()


def _state_for(servers: tuple[str, ...]) -> _OutageState:
    # Django makes one backend object per thread; the outage is the process's knowledge.
    with _states_lock:
        return _states.setdefault(servers, _OutageState())


_MISSING = object()


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache whose outages read as misses and no-op writes (module docstring).

    OPTIONS may hold "outage_pause_seconds" (default 5); the rest goes to redis-py."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.outage_pause_seconds = float(
            options.pop("outage_pause_seconds", DEFAULT_OUTAGE_PAUSE_SECONDS)
        )
        super().__init__(server, {**params, "OPTIONS": options})
        self._outage = _state_for(tuple(self._servers))
        # Where, without credentials: for the log lines.
        self._location = ",".join(server.rsplit("@", 1)[-1] for server in self._servers)

    @property
    def is_available(self) -> bool:
        return not self._outage.is_paused()

    def _guarded(self, fallback: Any, operation: Callable[..., Any], *args: Any) -> Any:
        mode = _mode.get()
        if mode is not _Mode.PROBE and self._outage.is_paused():
            if mode is _Mode.REQUIRED:
                raise CacheUnavailable("the cache is paused after a recent failure")
            return fallback
        try:
            result = operation(*args)
        except OUTAGE_ERRORS as error:
            self._outage.record_failure(
                error, pause_seconds=self.outage_pause_seconds, location=self._location
            )
            if mode is not _Mode.SOFT:
                raise CacheUnavailable(type(error).__name__) from error
            return fallback
        self._outage.record_success(location=self._location)
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._guarded(_MISSING, super().incr, key, delta, version)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._guarded(None, super().delete_many, keys, version)

    def clear(self):
        return self._guarded(False, super().clear)
