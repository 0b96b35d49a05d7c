"""Shared fixtures. Tests run on PostgreSQL + Redis when DATABASE_URL/REDIS_URL are set
(`make test`, CI) and never reach the outside network (pytest-socket)."""

import importlib

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
def site_header_cached(db):
    """The site header looks up once where "Practise on Aeyia" leads and caches it
    (marketing_site.pages.templatetags.practise_tags), so only the first request after a
    cache clear pays for it. Query-count tests warm it first: they measure how a page
    grows with its content, not that one-off lookup."""
    from marketing_site.pages.templatetags.practise_tags import practise_url

    practise_url()


@pytest.fixture
def password() -> str:
    return "correct horse battery staple"


_LEDGER_TABLES = (
    "credits_creditentry",
    "credits_creditlot",
    "credits_credittransaction",
    "credits_creditaccount",
)


@pytest.fixture(autouse=True)
def _append_only_ledger_can_be_flushed(request):
    """After a test that commits (transaction=True, live_server), Django empties the
    tables: TRUNCATE on PostgreSQL, which row triggers ignore, but DELETE on SQLite, which
    the append-only triggers of the ledger and the audit log refuse. On SQLite they are
    emptied here first, with the triggers lifted for that moment only. Set up after the
    database fixture, so this runs before its flush."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    commits = (
        "live_server" in names
        or "transactional_db" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not commits:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("commerce.credits.migrations.0002_append_only_triggers")
    with connection.schema_editor() as editor:
        triggers.remove_triggers(None, editor)
        for table in _LEDGER_TABLES:
            editor.execute(f"DELETE FROM {table}")  # noqa: S608  (fixed table names)
        triggers.install_triggers(None, editor)
    # The privacy audit log is append-only the same way (its triggers as privacy 0003 has them).
    audit = importlib.import_module("privacy.migrations.0003_audit_chain")
    with connection.schema_editor() as editor:
        audit.drop_triggers(None, editor)
        editor.execute(f"DELETE FROM {audit.TABLE}")  # noqa: S608  (a fixed table name)
        audit.install_triggers(None, editor)


@pytest.fixture(autouse=True)
def _celery_join_guard_restored():
    """Celery keeps one process-wide "never call result.get() inside a task" flag, which
    each eager task sets and restores. Eager tasks running in several threads at once (the
    concurrency tests) can restore it in the wrong order and leave it set, so later tests
    that wait on a result fail. Put it back as it was after every test."""
    from celery import _state

    before = _state.task_join_will_block()
    yield
    _state._set_task_join_will_block(before)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last. Playwright's sync API keeps an asyncio loop running in the
    main thread from the first browser test to the end of the session, and any later test
    that drives an ASGI app with async_to_sync (the socket consumers, config.asgi) would
    fail with "You cannot use AsyncToSync in the same thread as an async event loop".
    After pytest-django's own ordering (this hook runs last), a stable sort keeps it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def fresh_channel_layers():
    """Each test gets its own channel-layer instances. A Redis layer holds an asyncio lock
    (and connection pools) bound to the event loop that first used it; when a test's
    server or communicator stops mid-receive, the next test's loop would find that lock
    taken and bound to a dead loop ("is bound to a different event loop"), and every
    socket after it would go quiet. One web process has one loop, so this is test-only."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
