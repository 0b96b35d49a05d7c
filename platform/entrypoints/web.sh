#!/usr/bin/env bash
# Web process: Django behind gunicorn. Stateless; run as many replicas as traffic needs.
#
# Environment read here (besides the Django settings):
#   PORT              port to bind on all interfaces (default 8000)
#   WEB_CONCURRENCY   gunicorn worker processes (default 2; about 2 x CPU cores of the pod)
#   GUNICORN_THREADS  threads per worker process (default 4)
#   GUNICORN_TIMEOUT  seconds before a silent worker is killed and restarted (default 30)
#   RUN_MIGRATIONS    "1" runs `migrate --noinput` first. Only for a single-instance setup:
#                     compose and Kubernetes run migrations once, in release.sh.
set -euo pipefail

cd /app

if [[ "${RUN_MIGRATIONS:-0}" == "1" ]]; then
    python manage.py migrate --noinput
fi

# gthread workers: threads absorb slow clients and outbound calls, and keep-alive works
# (the sync worker ignores it). Keep-alive outlasts the usual 60 s idle timeout of the
# proxy in front, so the proxy, not gunicorn, closes idle connections.
# Heartbeat files go to /dev/shm (a tmpfs), not to the read-only root filesystem.
# The control socket is off: nothing uses it and its default path is not writable.
# The access log is gunicorn's own text format plus the request id that RequestIdMiddleware
# put on the response, so an access line can be matched to the JSON application log.
log_level="${LOG_LEVEL:-INFO}"
exec gunicorn config.wsgi:application \
    --bind "0.0.0.0:${PORT:-8000}" \
    --workers "${WEB_CONCURRENCY:-2}" \
    --worker-class gthread \
    --threads "${GUNICORN_THREADS:-4}" \
    --timeout "${GUNICORN_TIMEOUT:-30}" \
    --graceful-timeout 25 \
    --keep-alive 75 \
    --max-requests 2000 \
    --max-requests-jitter 200 \
    --worker-tmp-dir /dev/shm \
    --no-control-socket \
    --access-logfile - \
    --error-logfile - \
    --access-logformat '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s' \
    --log-level "${log_level,,}"
