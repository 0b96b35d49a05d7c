"""The embedded default (`make run`): SQLite, eager tasks, local adapters, mail to var/mail.

`make run` serves it over ASGI with uvicorn and WhiteNoise like production, so debug pages
are off unless DJANGO_DEBUG says otherwise (`make dev` turns them on with the autoreloading server).
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# One machine, local files: Django serves the uploaded media itself (S3 does in production).
SERVE_MEDIA_FILES = True
