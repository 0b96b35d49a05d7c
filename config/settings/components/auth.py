from django.core.exceptions import ImproperlyConfigured

from .env import VAR_DIR, env

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_overview"
LOGOUT_REDIRECT_URL = "/"

# allauth: email is the login, verified before first use.
# A subclass of accounts.adapters.AccountAdapter that sends allauth's emails through the
# notification service (accounts cannot import it; decision 0038).
ACCOUNT_ADAPTER = "notifications.account_mail.NotifyingAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Aeyia] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Second-factor changes ask for the password again unless the person signed in or
# reauthenticated within this many seconds (accounts.adapters.AccountAdapter).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    # The sixth failed login for one account within five minutes is refused.
    "login_failed": env.str("ACCOUNT_RATE_LIMIT_LOGIN_FAILED", default="20/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
# How many proxies in front of us append the peer they saw to X-Forwarded-For (behind one
# ingress: 1). 0 trusts nobody: the client is REMOTE_ADDR and the header is ignored, since
# anyone can write it. With N, the client is the N-th entry from the right, the one our
# outermost proxy wrote. allauth's per-IP limits above and the lead form's
# (marketing_site.leads.ratelimit, through allauth's adapter) follow this one rule.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict = {}

# MFA: TOTP with recovery codes, WebAuthn offered. Required for privileged roles
# (accounts.middleware.RequireMfaMiddleware).
MFA_ADAPTER = "accounts.adapters.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Aeyia"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=False)
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation). Empty: derived
# from SECRET_KEY, which the production deploy check refuses.
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
# Comma-separated Fernet keys for encrypted model fields (practitioner identity, lead
# messages): the first encrypts, all decrypt. Empty: derived from SECRET_KEY, which the
# production deploy check refuses. Rotate: new key first, `manage.py encrypted_fields_rotate`,
# then drop the old key (docs/decisions/0023-erasure-and-field-encryption.md).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
MFA_REQUIRED_PATH_PREFIXES = ["/dashboard/", "/cms/", "/django-admin/", "/partners/"]

# Headless API for apps and single-page clients (mounted at /_allauth/).
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_SERVE_SPECIFICATION = False


# OpenID Connect provider; clients are registered by staff in the admin.
def _local_oidc_private_key() -> str:
    """An RSA signing key for the embedded default, generated once into var/."""
    path = VAR_DIR / "oidc_private_key.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    return path.read_text()


IDP_OIDC_PRIVATE_KEY = (
    env.str("IDP_OIDC_PRIVATE_KEY", default="", multiline=True) or _local_oidc_private_key()
)
IDP_OIDC_ADAPTER = "accounts.adapters.OidcProviderAdapter"

# Idle timeouts (seconds since the last request) by role.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60 * 24 * 14)
SESSION_IDLE_TIMEOUT_PRIVILEGED = env.int("SESSION_IDLE_TIMEOUT_PRIVILEGED", default=30 * 60)
