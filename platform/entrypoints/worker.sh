#!/usr/bin/env bash
# Celery worker: runs the tasks that web and beat enqueue on the broker (Redis).
# Scale horizontally by adding replicas; every replica consumes the same queue.
#
# Environment read here (besides the Django settings):
#   WORKER_CONCURRENCY  prefork child processes per replica (default 2)
set -euo pipefail

cd /app

# --without-gossip / --without-mingle: workers do not talk to each other. Gossip and the
#   start-up "mingle" sync exist for features we do not use (revoking by worker state,
#   clock sync between workers); on Redis they are broadcast traffic that grows with the
#   number of replicas and slows every start-up.
# --without-heartbeat: worker heartbeat *events* only feed monitors such as Flower, which we
#   do not run. Liveness is checked with `celery inspect ping`, which uses the remote-control
#   channel and works without them. (This is not the broker connection heartbeat; Redis has
#   none.) Re-enable all three if a monitor that needs events is added.
# Time limits come from settings (CELERY_TASK_TIME_LIMIT), acks are late and a lost worker's
# task is redelivered, so every task must stay idempotent.
log_level="${LOG_LEVEL:-INFO}"
exec celery -A config worker \
    --loglevel "${log_level^^}" \
    --concurrency "${WORKER_CONCURRENCY:-2}" \
    --without-gossip \
    --without-mingle \
    --without-heartbeat
