"""Fixtures for tests that commit to the database (concurrency)."""

import pytest
from django.db import connection


@pytest.fixture
def committing_db(transactional_db):
    """A database that concurrent threads really share. Django's default SQLite test
    database lives in memory with a shared cache, where concurrent writers fail at once
    with "database table is locked" instead of queueing on the busy timeout as they do on
    the file database every deployment uses; config/settings/test.py therefore puts the
    SQLite test database in a file. (tests/conftest.py empties the append-only ledger
    before Django's flush on SQLite.)"""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("Concurrency tests need a file-based SQLite test database.")
    return None
