#!/usr/bin/env bash
# Outbox relay (decision 0018): publishes the task rows that web requests wrote in their own
# transactions (events.OutboxMessage) to the broker, every couple of seconds, with back-off
# while the broker is down. Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so more
# than one relay (and beat's once-a-minute pass) never publish the same row; one replica is
# enough, two are safe. SIGTERM ends it after the current pass.
#
# Environment read here (besides the Django settings):
#   RELAY_INTERVAL  seconds between passes (default 2)
set -euo pipefail

cd /app

exec python manage.py relay_outbox --interval "${RELAY_INTERVAL:-2}"
