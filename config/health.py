"""Liveness and readiness probes for the load balancer and the orchestrator."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.cache_backend import cache_probe

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
    # A real round trip even while the process has paused the cache after a failure
    # (config.cache_backend): an outage raises here instead of reading as a miss.
    with cache_probe():
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


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_GET
def readyz(request) -> JsonResponse:
    """Ready to take traffic: the database, cache and broker answer. 503 otherwise, with
    which check failed and never a traceback. The site still serves without the cache
    (decision 0019), but a missing cache is reported: pages are slower and the rate limits
    that must fail closed (sign-in, lead forms, vouchers) refuse.

    `?checks=database` runs only the named checks (comma-separated): the Kubernetes
    readiness probe asks for the database alone, so a cache or broker outage degrades the
    site instead of taking every web pod out of the Service."""
    requested = [name for name in request.GET.get("checks", "").split(",") if name]
    if not set(requested) <= set(CHECKS):
        return JsonResponse(
            {"code": "invalid", "detail": f"checks takes some of: {', '.join(CHECKS)}."},
            status=400,
        )
    checks = {}
    for name, check in CHECKS.items():
        if requested and name not in requested:
            continue
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
