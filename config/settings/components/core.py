from django.core.management.utils import get_random_secret_key

from .env import BASE_DIR, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_secret_key() -> str:
    """A per-checkout secret for the embedded default, kept in var/ so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _local_secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
SITE_ID = 1

INSTALLED_APPS = [
    # first-party apps come first so their templates override third-party ones
    "money.apps.MoneyConfig",
    "accounts.apps.AccountsConfig",
    "privacy.apps.PrivacyConfig",
    "privacy.rights.apps.PrivacyRightsConfig",
    "events.apps.EventsConfig",
    "notifications.apps.NotificationsConfig",
    "notifications.push.apps.WebPushConfig",
    "notifications.announcements.apps.AnnouncementsConfig",
    "marketplace.practitioners.apps.PractitionersConfig",
    "marketplace.clients.apps.ClientsConfig",
    "marketplace.clients.intake.apps.IntakeConfig",
    "marketplace.clients.records.apps.CareRecordsConfig",
    "marketplace.clients.messaging.apps.MessagingConfig",
    "marketplace.clients.documents.apps.ClientDocumentsConfig",
    "marketplace.clients.consent.apps.ConsentConfig",
    "marketplace.clients.notes.apps.ClinicalNotesConfig",
    "marketplace.clients.sharing.apps.RecordSharingConfig",
    "commerce.credits.apps.CreditsConfig",
    "commerce.partners.apps.PartnersConfig",
    "integrations.stripe.apps.StripeLocalConfig",
    "integrations.typeform.apps.TypeformLocalConfig",
    "commerce.payments.apps.PaymentsConfig",
    "commerce.memberships.apps.MembershipsConfig",
    "commerce.bookings.apps.BookingsConfig",
    "commerce.rooms.apps.RoomsConfig",
    "cms.core.apps.CmsCoreConfig",
    "cms.library.apps.LibraryConfig",
    "cms.courses.apps.CoursesConfig",
    "cms.contentful_sync.apps.ContentfulSyncConfig",
    "marketing_site.pages.apps.PagesConfig",
    "marketing_site.seo.apps.SeoConfig",
    "marketing_site.leads.apps.LeadsConfig",
    "config.apps.ConfigAppConfig",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # allauth
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "allauth.headless",
    "allauth.idp.oidc",
    "allauth.usersessions",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # API
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our static files
    "anymail",
    # WebSockets (config/asgi.py). Not daphne: `make dev` keeps Django's own runserver.
    "channels",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    # NUL bytes and oversized bodies on /api/ and /webhooks/ are JSON 400/413 (decision 0022).
    "config.middleware.InputHygieneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketing_site.leads.middleware.AttributionMiddleware",
    "accounts.middleware.IdleSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Anonymous marketing pages from the cache; after auth and messages, which it consults.
    "marketing_site.pages.caching.PageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.RequireMfaMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "config.context_processors.site",
            ],
        },
    },
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# The embedded default serves MEDIA_ROOT through Django (config/urls.py); elsewhere S3 or the
# web server in front does.
SERVE_MEDIA_FILES = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
