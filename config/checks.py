"""Deploy checks (`manage.py check --deploy`) for what Django's own checks cannot know."""

import re

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string


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
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: identity data and form messages would be "
                "encrypted with a key derived from SECRET_KEY.",
                id="aeyia.E009",
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


@register(Tags.security, deploy=True)
def check_production_klaviyo(app_configs, **kwargs):
    """Leads and events would be kept in memory and never reach Klaviyo."""
    adapter = getattr(settings, "KLAVIYO_GATEWAY", "")
    if adapter.endswith(".local") or ".local." in adapter:
        return [
            Error(
                f"KLAVIYO_GATEWAY names the local adapter {adapter!r}; production must use "
                "integrations.klaviyo.live.KlaviyoLiveClient.",
                id="aeyia.E031",
            )
        ]
    if not getattr(settings, "KLAVIYO_API_KEY", ""):
        return [Error("KLAVIYO_API_KEY is not set.", id="aeyia.E032")]
    return []


FRANKIEONE_ADAPTER = "integrations.kyc.live.FrankieOneKyc"
FRANKIEONE_REQUIRED = (
    "FRANKIEONE_API_KEY",
    "FRANKIEONE_CUSTOMER_ID",
    "FRANKIEONE_SERVICE_NAME",
    "FRANKIEONE_WORKFLOW_NAME",
    "FRANKIEONE_NOTIFICATION_SECRET",
)
FRANKIEONE_SECRET_MIN_LENGTH = 32
FRANKIEONE_SECRET_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{{FRANKIEONE_SECRET_MIN_LENGTH},}}")


@register(Tags.security, deploy=True)
def check_production_kyc(app_configs, **kwargs):
    """The local KYC adapter decides by rule on the document number: in production every
    practitioner whose number does not start "FAIL" would pass the identity check. The
    live FrankieOne adapter needs its credentials, its workflow and the notification
    path's secret (FrankieOne's notifications are unsigned: the secret path is what keeps
    strangers out). /webhooks/kyc/ stays mounted, so its signing secret must not be the
    public local default either."""
    errors = []
    adapter = getattr(settings, "KYC_GATEWAY", "")
    if adapter.endswith(".local") or ".local." in adapter:
        errors.append(
            Error(
                f"KYC_GATEWAY names the local adapter {adapter!r}; production must use "
                f"{FRANKIEONE_ADAPTER} (docs/decisions/0026-frankieone-live-kyc.md).",
                id="aeyia.E008",
            )
        )
    else:
        try:
            import_string(adapter)
        except ImportError:
            errors.append(
                Error(f"KYC_GATEWAY names {adapter!r}, which cannot be imported.", id="aeyia.E008")
            )
    if adapter == FRANKIEONE_ADAPTER:
        missing = [
            name
            for name in FRANKIEONE_REQUIRED
            if not getattr(settings, name, "") or getattr(settings, name).startswith("replace-")
        ]
        if missing:
            errors.append(
                Error(
                    f"The FrankieOne KYC adapter needs {', '.join(missing)} (unset or still "
                    "the example's placeholder).",
                    id="aeyia.E008",
                )
            )
        secret = getattr(settings, "FRANKIEONE_NOTIFICATION_SECRET", "")
        if secret and not FRANKIEONE_SECRET_PATTERN.fullmatch(secret):
            errors.append(
                Error(
                    "FRANKIEONE_NOTIFICATION_SECRET must be at least "
                    f"{FRANKIEONE_SECRET_MIN_LENGTH} letters, digits, '-' or '_' "
                    "(secrets.token_urlsafe(32)): it is the only thing that keeps strangers "
                    "off the unsigned notification path.",
                    id="aeyia.E008",
                )
            )
        if not getattr(settings, "FRANKIEONE_BASE_URL", "").startswith("https://"):
            errors.append(
                Error("FRANKIEONE_BASE_URL must be an https:// address.", id="aeyia.E008")
            )
    if getattr(settings, "KYC_WEBHOOK_SECRET", "") in ("", "local-kyc"):
        errors.append(
            Error(
                "KYC_WEBHOOK_SECRET is missing or the local default: set a secret of your own "
                "(it signs results to /webhooks/kyc/, which stays mounted).",
                id="aeyia.E008",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_production_contentful(app_configs, **kwargs):
    """The local Contentful space holds demo content only; the live adapter needs its space
    and token, and the webhook its own secret (the local default is public)."""
    errors = []
    adapter = getattr(settings, "CONTENTFUL_GATEWAY", "")
    if adapter.endswith(".local") or ".local." in adapter:
        errors.append(
            Error(
                f"CONTENTFUL_GATEWAY names the local adapter {adapter!r}; production must use "
                "integrations.contentful.live.ContentfulLiveClient.",
                id="aeyia.E041",
            )
        )
    missing = [
        name
        for name in ("CONTENTFUL_SPACE_ID", "CONTENTFUL_ACCESS_TOKEN")
        if not getattr(settings, name, "")
    ]
    if missing:
        errors.append(Error(f"{' and '.join(missing)} not set.", id="aeyia.E042"))
    if getattr(settings, "CONTENTFUL_WEBHOOK_SECRET", "") in ("", "local-contentful"):
        errors.append(
            Error(
                "CONTENTFUL_WEBHOOK_SECRET is missing or the local default: set the secret "
                "Contentful's webhook sends in X-Aeyia-Webhook-Secret.",
                id="aeyia.E043",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_production_typeform(app_configs, **kwargs):
    """The offline Typeform renders its own form and signs with a public default secret:
    in production linked forms would never be read and anyone could post responses."""
    errors = []
    adapter = getattr(settings, "TYPEFORM_GATEWAY", "")
    if adapter.endswith(".local") or ".local." in adapter:
        errors.append(
            Error(
                f"TYPEFORM_GATEWAY names the local adapter {adapter!r}; production must use "
                "integrations.typeform.live.TypeformLiveClient.",
                id="aeyia.E061",
            )
        )
    if not getattr(settings, "TYPEFORM_API_TOKEN", ""):
        errors.append(Error("TYPEFORM_API_TOKEN is not set.", id="aeyia.E062"))
    if getattr(settings, "TYPEFORM_WEBHOOK_SECRET", "") in ("", "local-typeform"):
        errors.append(
            Error(
                "TYPEFORM_WEBHOOK_SECRET is missing or the local default: set the secret of "
                "Aeyia's Typeform webhooks.",
                id="aeyia.E063",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_production_kms(app_configs, **kwargs):
    """Client documents' data keys are wrapped by the key service (decision 0032). The
    local adapter keeps master keys in the environment: allowed in production only when
    KMS_LOCAL_ALLOWED_IN_PRODUCTION says so, and never with the SECRET_KEY-derived key."""
    errors = []
    adapter = getattr(settings, "KMS_GATEWAY", "")
    if adapter.endswith(".local") or ".local." in adapter:
        if not getattr(settings, "KMS_LOCAL_ALLOWED_IN_PRODUCTION", False):
            errors.append(
                Error(
                    f"KMS_GATEWAY names the local adapter {adapter!r}; production should use "
                    "integrations.kms.live.AwsKms (or set KMS_LOCAL_ALLOWED_IN_PRODUCTION "
                    "to keep master keys in the environment deliberately).",
                    id="aeyia.E071",
                )
            )
        if not getattr(settings, "KMS_LOCAL_MASTER_KEYS", []):
            errors.append(
                Error(
                    "KMS_LOCAL_MASTER_KEYS is not set: document keys would be wrapped with a "
                    "key derived from SECRET_KEY.",
                    id="aeyia.E072",
                )
            )
    elif not getattr(settings, "KMS_KEY_ID", ""):
        errors.append(Error("KMS_KEY_ID is not set for the AWS KMS adapter.", id="aeyia.E073"))
    return errors


# A TURN shared secret shorter than this could be guessed from captured credentials.
TURN_SECRET_MIN_LENGTH = 32


@register(Tags.security, deploy=True)
def check_production_video(app_configs, **kwargs):
    """Session rooms (decision 0041). The peer-to-peer adapter is allowed in production,
    but only with our TURN server: without a relay, people behind symmetric NAT or a
    strict firewall (many clinics, mobile networks) could never connect. The TURN secret
    signs every credential, so it must be long and not an example value. The Chime
    adapter needs a recording bucket before anyone can record."""
    from django.core.checks import Warning as CheckWarning

    errors = []
    adapter = getattr(settings, "VIDEO_PROVIDER", "")
    try:
        import_string(adapter)
    except ImportError:
        return [
            Error(f"VIDEO_PROVIDER names {adapter!r}, which cannot be imported.", id="aeyia.E091")
        ]
    turn_urls = getattr(settings, "TURN_URLS", [])
    secret = getattr(settings, "TURN_SECRET", "")
    if adapter.endswith(".local") or ".local." in adapter:
        if not (turn_urls and secret):
            errors.append(
                Error(
                    f"VIDEO_PROVIDER names the peer-to-peer adapter {adapter!r} but no TURN "
                    "server is configured: set TURN_URLS and TURN_SECRET (platform/coturn), "
                    "or use integrations.video.live.ChimeVideoProvider.",
                    id="aeyia.E092",
                )
            )
    if turn_urls and (len(secret) < TURN_SECRET_MIN_LENGTH or secret.startswith("replace-")):
        errors.append(
            Error(
                f"TURN_SECRET must be at least {TURN_SECRET_MIN_LENGTH} random characters "
                "(secrets.token_urlsafe(32)) and the same as coturn's static-auth-secret.",
                id="aeyia.E093",
            )
        )
    if adapter.endswith(".live.ChimeVideoProvider") and not getattr(
        settings, "CHIME_RECORDING_BUCKET", ""
    ):
        errors.append(
            CheckWarning(
                "CHIME_RECORDING_BUCKET is not set: sessions cannot be recorded even when "
                "both people consent.",
                id="aeyia.W094",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_production_webpush(app_configs, **kwargs):
    """Web push (decision 0037): the VAPID key pair must come from the environment. A
    pair generated into var/ differs per machine and per deploy, and every subscription
    is bound to the public key it was made with, so pushes would fail for everyone made
    on another pod. Push services contact the subject about our traffic."""
    from config.settings.components.webpush import vapid_public_key_for

    errors = []
    if not getattr(settings, "WEBPUSH_VAPID_KEYS_FROM_ENVIRONMENT", False):
        errors.append(
            Error(
                "WEBPUSH_VAPID_PRIVATE_KEY is not set: push would be signed with a key "
                "generated on this machine (set it and WEBPUSH_VAPID_PUBLIC_KEY from "
                "`vapid --gen` or `npx web-push generate-vapid-keys`).",
                id="aeyia.E081",
            )
        )
    else:
        try:
            derived = vapid_public_key_for(settings.WEBPUSH_VAPID_PRIVATE_KEY)
        except (ValueError, TypeError):
            derived = None
        if derived is None or derived != settings.WEBPUSH_VAPID_PUBLIC_KEY:
            errors.append(
                Error(
                    "WEBPUSH_VAPID_PUBLIC_KEY is not the public key of "
                    "WEBPUSH_VAPID_PRIVATE_KEY (both base64url: the 65-byte point and the "
                    "32-byte private value).",
                    id="aeyia.E082",
                )
            )
    subject = getattr(settings, "WEBPUSH_VAPID_SUBJECT", "")
    if not subject.startswith(("mailto:", "https://")) or subject.endswith(".local"):
        errors.append(
            Error(
                "WEBPUSH_VAPID_SUBJECT must be a mailto: or https:// contact that push "
                "services can reach (not the local default).",
                id="aeyia.E083",
            )
        )
    return errors
