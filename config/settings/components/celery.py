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
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
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
    # Unsubscribes, bounces and spam complaints made in Klaviyo come back to the leads.
    "pull-klaviyo-suppressions": {
        "task": "marketing_site.leads.tasks.pull_klaviyo_suppressions",
        "schedule": crontab(minute="*/30"),
    },
}
