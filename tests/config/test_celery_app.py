"""Celery: without a broker tasks run eagerly in-process; with REDIS_URL (CI) a real worker
consumes them from Redis."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from config.celery_app import app


def _make_sessions():
    now = timezone.now()
    Session.objects.create(
        session_key="expired" + "x" * 25, session_data="", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(
        session_key="current" + "x" * 25, session_data="", expire_date=now + timedelta(days=1)
    )


def test_without_a_broker_tasks_run_eagerly(tmp_path):
    """The embedded default: no broker configured means eager tasks."""
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER, repr(settings.CELERY_BROKER_URL))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.split() == ["True", "''"]


@pytest.mark.parametrize(
    "entry",
    [
        "clear-expired-sessions",
        "expire-due-credits",
        "downgrade-memberships-after-grace",
        "refresh-external-calendars",
        "send-due-reminders",
        "relay-outbox",
        "purge-sent-outbox",
        "redrive-stripe-events",
        "redrive-kyc-events",
        "refresh-pending-kyc-checks",
    ],
)
def test_beat_schedules_name_registered_tasks(entry):
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks


@pytest.mark.django_db(transaction=True)
def test_session_cleanup_runs_through_the_configured_path():
    _make_sessions()
    if not settings.CELERY_BROKER_URL:
        result = clear_expired_sessions.delay()
        assert result.get(timeout=5) == "ok"
    else:
        from celery.contrib.testing.worker import start_worker

        # A real worker thread consuming from the real broker (Redis in CI).
        app.conf.task_always_eager = False
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                result = clear_expired_sessions.delay()
                assert not result.ready() or result.get(timeout=30) == "ok"
                assert result.get(timeout=30) == "ok"
        finally:
            app.conf.task_always_eager = True
    keys = set(Session.objects.values_list("session_key", flat=True))
    assert keys == {"current" + "x" * 25}
