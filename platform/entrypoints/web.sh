#!/usr/bin/env bash
# Web process: Django over ASGI (HTTP and WebSockets), uvicorn workers under gunicorn.
# Stateless; run as many replicas as traffic needs.
#
# Environment read here (besides the Django settings):
#   PORT              port to bind on all interfaces (default 8000)
#   WEB_CONCURRENCY   gunicorn worker processes (default 2; about 2 x CPU cores of the pod)
#   GUNICORN_TIMEOUT  seconds before a silent worker is killed and restarted (default 30)
#   RUN_MIGRATIONS    "1" runs `migrate --noinput` first. Only for a single-instance setup:
#                     compose and Kubernetes run migrations once, in release.sh.
set -euo pipefail

cd /app

if [[ "${RUN_MIGRATIONS:-0}" == "1" ]]; then
    python manage.py migrate --noinput
fi

# gunicorn manages the worker processes (restarts, graceful reloads, max-requests); each
# worker is uvicorn with an event loop (config/asgi_worker.py), so slow clients and open
# WebSockets cost no thread. Keep-alive outlasts the usual 60 s idle timeout of the proxy
# in front, so the proxy, not the server, closes idle connections.
# Heartbeat files go to /dev/shm (a tmpfs), not to the read-only root filesystem.
# The control socket is off: nothing uses it and its default path is not writable.
# Access lines are uvicorn's (client, request line, status); the request id is in the JSON
# application log of the same request.
log_level="${LOG_LEVEL:-INFO}"
exec gunicorn config.asgi:application \
    --worker-class config.asgi_worker.WebWorker \
    --bind "0.0.0.0:${PORT:-8000}" \
    --workers "${WEB_CONCURRENCY:-2}" \
    --timeout "${GUNICORN_TIMEOUT:-30}" \
    --graceful-timeout 25 \
    --keep-alive 75 \
    --max-requests 2000 \
    --max-requests-jitter 200 \
    --worker-tmp-dir /dev/shm \
    --no-control-socket \
    --access-logfile - \
    --error-logfile - \
    --log-level "${log_level,,}"
