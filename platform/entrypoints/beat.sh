#!/usr/bin/env bash
# Celery beat: the periodic-task clock (CELERY_BEAT_SCHEDULE in settings). It only enqueues;
# workers do the work. Run exactly ONE beat process: two would enqueue every task twice.
set -euo pipefail

cd /app

# The schedule state (last run times) is a local shelve file. /tmp is the only writable
# place in the container (an emptyDir in Kubernetes); losing it on restart is harmless, the
# schedule is crontab-based and simply continues from the next due time.
log_level="${LOG_LEVEL:-INFO}"
exec celery -A config beat \
    --loglevel "${log_level^^}" \
    --schedule /tmp/celerybeat-schedule
