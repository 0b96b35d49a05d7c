#!/usr/bin/env bash
# Release step, run once per deploy BEFORE new web/worker/beat processes start
# (compose: the one-shot `migrate` service; Kubernetes: the aeyia-migrate Job).
#
# 1. The deploy checks must pass with the production environment: Django's security checks
#    plus ours (MFA keys set, PostgreSQL, a broker, a real email backend). Warnings fail too.
# 2. Migrations are applied once, here, never by every web replica at start-up.
set -euo pipefail

cd /app

python manage.py check --deploy --fail-level WARNING
exec python manage.py migrate --noinput
