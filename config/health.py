"""Liveness and readiness probes for the load balancer and the orchestrator."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request) -> JsonResponse:
    """The process is up and serving; touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("readyz", "1", timeout=5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was written")
    return "ok"


def _check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"
    from config.celery_app import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
@require_GET
def readyz(request) -> JsonResponse:
    """Ready to take traffic: the database, cache and broker answer. 503 otherwise, with
    which check failed and never a traceback."""
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("broker", _check_broker),
    ):
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001  (any failure means "not ready")
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
            checks[name] = "unavailable"
    ready = all(state in ("ok", "eager") for state in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
