"""Deploy checks (`manage.py check --deploy`) for what Django's own checks cannot know."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs, **kwargs):
    errors = []
    if not settings.MFA_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "MFA_ENCRYPTION_KEYS is not set: second-factor secrets would be encrypted "
                "with a key derived from SECRET_KEY.",
                id="aeyia.E001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            Error("Production must run on PostgreSQL (set DATABASE_URL).", id="aeyia.E002")
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        errors.append(
            Error("No Celery broker: set REDIS_URL or CELERY_BROKER_URL.", id="aeyia.E003")
        )
    if "filebased" in settings.EMAIL_BACKEND or "console" in settings.EMAIL_BACKEND:
        errors.append(Error("EMAIL_BACKEND must deliver mail in production.", id="aeyia.E004"))
    for setting in ("STRIPE_GATEWAY",):
        adapter = getattr(settings, setting, "")
        if adapter.endswith(".local") or ".local." in adapter:
            errors.append(
                Error(
                    f"{setting} names the offline adapter {adapter!r}; production must use "
                    "the live one.",
                    id="aeyia.E005",
                )
            )
    local_secrets = [
        name
        for name in ("STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET")
        if getattr(settings, name).startswith("whsec_local")
    ]
    if not settings.STRIPE_SECRET_KEY or local_secrets:
        errors.append(
            Error(
                "Stripe keys are missing: set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and "
                "STRIPE_CONNECT_WEBHOOK_SECRET.",
                id="aeyia.E006",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_production_sms_sender(app_configs, **kwargs):
    """SMS reminders would be recorded in memory and never sent."""
    adapter = getattr(settings, "SMS_SENDER", "")
    if adapter.endswith(".local") or ".local." in adapter:
        return [
            Error(
                f"SMS_SENDER names the local adapter {adapter!r}; production must use "
                "integrations.sms.live.SnsSmsSender.",
                id="aeyia.E007",
            )
        ]
    return []
