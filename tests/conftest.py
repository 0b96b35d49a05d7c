"""Shared fixtures. Tests run on PostgreSQL + Redis when DATABASE_URL/REDIS_URL are set
(`make test`, CI) and never reach the outside network (pytest-socket)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Rate-limit counters and used TOTP codes live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return "correct horse battery staple"
