"""Fixtures for tests that commit to the database (concurrency)."""

import importlib
import sqlite3

import pytest
from django.db import connection

_triggers = importlib.import_module("commerce.credits.migrations.0002_append_only_triggers")

LEDGER_TABLES = (
    "credits_creditentry",
    "credits_creditlot",
    "credits_credittransaction",
    "credits_creditaccount",
)


def clear_ledger_on_sqlite() -> None:
    """Empties the ledger tables on SQLite so the flush after a `transaction=True` test
    can run: SQLite has no TRUNCATE, Django flushes with DELETE, and the append-only
    triggers refuse DELETE. (PostgreSQL flushes with TRUNCATE, which row triggers
    ignore.) The triggers are dropped for the clean-up only and put back at once."""
    if connection.vendor != "sqlite":
        return
    with connection.schema_editor() as editor:
        _triggers.remove_triggers(None, editor)
        for table in LEDGER_TABLES:
            editor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        _triggers.install_triggers(None, editor)


@pytest.fixture
def committing_db(transactional_db, tmp_path):
    """A database that concurrent threads really share, for `transaction=True` tests.

    pytest-django's default SQLite test database lives in memory with a shared cache,
    where concurrent writers fail at once with "database table is locked" instead of
    waiting on the busy timeout as they do on the file database every real deployment
    uses. So on that in-memory database the test runs on a file copy of it (schema,
    triggers and all), with the project's connection options (IMMEDIATE transactions,
    WAL, 20 s busy timeout), and the in-memory database is put back afterwards. On
    PostgreSQL, or a file-based SQLite test database, the test runs where it is."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        connection.ensure_connection()
        in_memory = connection.connection
        path = tmp_path / "committing.sqlite3"
        copy = sqlite3.connect(path)
        in_memory.backup(copy)
        copy.close()
        original_name = connection.settings_dict["NAME"]
        # Every thread's connection reads this same settings dict when it connects.
        connection.settings_dict["NAME"] = str(path)
        connection.connection = None
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original_name
            connection.connection = in_memory
    else:
        yield
        clear_ledger_on_sqlite()
