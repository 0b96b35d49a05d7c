#!/usr/bin/env bash
# Release step, run once per deploy BEFORE new web/worker/beat processes start
# (compose: the one-shot `migrate` service; Kubernetes: the aeyia-migrate Job).
#
# 1. The deploy checks must pass with the production environment: Django's security checks
#    plus ours (MFA and field keys set, PostgreSQL, a broker, a real email backend, every
#    outside service on its live adapter with its settings: Stripe, SMS, Klaviyo,
#    Contentful, Typeform, KMS, and FrankieOne for identity checks, aeyia.E008, which needs
#    FRANKIEONE_API_KEY, _CUSTOMER_ID, _SERVICE_NAME, _WORKFLOW_NAME and
#    _NOTIFICATION_SECRET). Warnings fail too. tests/config/test_deploy_check.py runs this
#    command with a complete production environment.
# 2. Migrations are applied once, here, never by every web replica at start-up.
set -euo pipefail

cd /app

python manage.py check --deploy --fail-level WARNING
exec python manage.py migrate --noinput
