"""The test run. DATABASE_URL and REDIS_URL (set by CI) switch to PostgreSQL and Redis."""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.str("TEST_MEDIA_ROOT", default="/tmp/aeyia-test-media")  # noqa: S108
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

# Several test runs may share one PostgreSQL and one Redis (developers, helpers, CI): each
# run gets its own test database, cache key prefix and Celery queue.
_RUN_ID = f"{os.getpid()}"
DATABASES["default"].setdefault("TEST", {})  # noqa: F405
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = f"test_{DATABASES['default']['NAME']}_{_RUN_ID}"  # noqa: F405
else:
    # A file, not Django's shared-cache memory database: concurrent writers must queue on
    # the busy timeout (IMMEDIATE transactions, WAL) the way they do in the embedded mode,
    # not fail at once with "database table is locked".
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / f"test-{_RUN_ID}.sqlite3")  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"aeyia-test-{_RUN_ID}"  # noqa: F405
if "prefix" in CHANNEL_LAYERS["default"]["CONFIG"]:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"aeyia-test-ws-{_RUN_ID}"  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = f"aeyia-test-{_RUN_ID}"

# Tasks run eagerly in tests so each test sees its effects; the tests that need a real
# worker (tests/config/test_celery_app.py) switch this off and start one on the broker.
CELERY_TASK_ALWAYS_EAGER = True
