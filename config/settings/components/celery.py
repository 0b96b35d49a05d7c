from celery.schedules import crontab

from .cache import REDIS_URL
from .env import env

# Without a broker the embedded default runs every task eagerly, in the request's process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No web request waits on the broker (decision 0018): requests only write outbox rows, and
# the one publish after commit is a single try (retry=False, ignore_result) bounded by these
# socket timeouts. The relay and the workers retry; a refused connection fails at once.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "retry_on_timeout": False,
}
# Publishes that do retry (a worker fanning out, beat) give up within about a second.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.6,
}
# Callers never wait for results: each publish with a result backend would also subscribe
# to it, and with Redis down that retried for 20 s per call. Workers still store them.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
}
CELERY_TIMEZONE = "UTC"
# Keep our logging configuration (JSON with request ids in production) in workers too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17, hour=3),
    },
    "expire-due-credits": {
        "task": "commerce.credits.tasks.expire_due_credits",
        "schedule": crontab(minute=5),
    },
    "expire-booking-holds": {
        "task": "commerce.bookings.tasks.expire_booking_holds",
        "schedule": crontab(),
    },
    "complete-past-bookings": {
        "task": "commerce.bookings.tasks.complete_past_bookings",
        "schedule": crontab(minute="*/15"),
    },
    "refresh-external-calendars": {
        "task": "commerce.bookings.tasks.refresh_external_calendars",
        "schedule": crontab(minute=50),
    },
    "send-due-reminders": {
        "task": "commerce.bookings.tasks.send_due_reminders",
        "schedule": crontab(minute="*/5"),
    },
    # Session rooms whose window has closed: the video meeting ends, the sockets close.
    "close-due-rooms": {
        "task": "commerce.rooms.tasks.close_due_rooms",
        "schedule": crontab(),
    },
    "publish-scheduled-pages": {
        "task": "marketing_site.pages.tasks.publish_scheduled",
        "schedule": crontab(),
    },
    "downgrade-memberships-after-grace": {
        "task": "commerce.memberships.tasks.downgrade_after_grace",
        "schedule": crontab(minute=35),
    },
    "send-credential-reminders": {
        "task": "marketplace.practitioners.tasks.send_credential_reminders",
        "schedule": crontab(hour=7, minute=10),
    },
    # Webhooks sync Contentful at once; this catches anything a lost webhook missed.
    "contentful-sync": {
        "task": "cms.contentful_sync.tasks.contentful_sync_task",
        "schedule": crontab(minute="*/15"),
        "kwargs": {"trigger": "beat"},
    },
    # The task outbox (decision 0018): the relay process publishes pending rows every few
    # seconds; this catches up when it is not running. Sent rows are kept a week.
    "relay-outbox": {
        "task": "events.tasks.relay_outbox",
        "schedule": crontab(),
    },
    "purge-sent-outbox": {
        "task": "events.tasks.purge_sent_outbox",
        "schedule": crontab(minute=41, hour=4),
    },
    # Inbound webhooks left received or failed are processed again with back-off.
    "redrive-stripe-events": {
        "task": "commerce.payments.tasks.redrive_webhook_events",
        "schedule": crontab(minute="*/2"),
    },
    "redrive-kyc-events": {
        "task": "marketplace.practitioners.tasks.redrive_kyc_events",
        "schedule": crontab(minute="*/2"),
    },
    # Identity checks pending at FrankieOne for 15 minutes: their result is read from the
    # API (a notification that never reached us).
    "refresh-pending-kyc-checks": {
        "task": "marketplace.practitioners.tasks.refresh_pending_kyc_checks",
        "schedule": crontab(minute="*/15"),
    },
    "redrive-typeform-events": {
        "task": "marketplace.clients.intake.tasks.redrive_typeform_events",
        "schedule": crontab(minute="*/2"),
    },
    # "Complete your intake" 24 h before a session whose intake is not done (once each).
    "send-intake-reminders": {
        "task": "marketplace.clients.intake.tasks.send_intake_reminders",
        "schedule": crontab(minute="*/10"),
    },
    # Linked Typeform responses that no webhook brought, read from the Responses API.
    "catch-up-typeform-responses": {
        "task": "marketplace.clients.intake.tasks.catch_up_typeform_responses",
        "schedule": crontab(minute=41),
    },
    # Data-export zips older than DATA_EXPORT_KEEP_DAYS are deleted.
    "purge-old-data-exports": {
        "task": "privacy.rights.tasks.purge_old_exports",
        "schedule": crontab(minute=23, hour=4),
    },
    # Clinical data past its retention period (RETENTION_POLICY) is purged.
    "retention-purge": {
        "task": "privacy.rights.tasks.retention_purge",
        "schedule": crontab(minute=53, hour=3),
    },
    # Unsubscribes, bounces and spam complaints made in Klaviyo come back to the leads.
    "pull-klaviyo-suppressions": {
        "task": "marketing_site.leads.tasks.pull_klaviyo_suppressions",
        "schedule": crontab(minute="*/30"),
    },
    # Notification deliveries: retries after back-off, SMS/push held for quiet hours,
    # queued sends whose task was lost; then the daily email digests that are due.
    "redrive-notification-deliveries": {
        "task": "notifications.tasks.deliveries_redrive",
        "schedule": crontab(),
    },
    "send-notification-digests": {
        "task": "notifications.tasks.digests_send",
        "schedule": crontab(minute="*/15"),
    },
    # Staff announcements whose time has come (and any a dead run left half-sent).
    "send-due-announcements": {
        "task": "notifications.announcements.tasks.announcements_send_due",
        "schedule": crontab(),
    },
}
