import pytest


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path):
    """Locked files written by a test land in its own folder, not var/private."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def committing_db(transactional_db):
    """A database concurrent threads really share (SQLite's test database is a file in
    config/settings/test.py, so writers queue on IMMEDIATE transactions)."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("Concurrency tests need a file-based SQLite test database.")
