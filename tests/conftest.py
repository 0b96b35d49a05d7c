"""Shared fixtures. Tests run on PostgreSQL + Redis when DATABASE_URL/REDIS_URL are set
(`make test`, CI) and never reach the outside network (pytest-socket)."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def _clear_cache() -> None:
    """Empties this run's cache. On Redis only this run's keys go (FLUSHDB would also wipe
    other runs' keys and Celery queues sharing the database)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        for key in client.scan_iter(match=f"{backend.key_prefix}:*", count=500):
            client.delete(key)
    else:
        backend.clear()


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Rate-limit counters and used TOTP codes live in the cache: start each test clean."""
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def password() -> str:
    return "correct horse battery staple"
