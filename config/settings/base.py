"""Settings shared by every mode. Each concern lives in components/; the mode files
(local, test, production) adjust only what differs."""

from .components.auth import *  # noqa: F403
from .components.cache import *  # noqa: F403
from .components.celery import *  # noqa: F403
from .components.channels import *  # noqa: F403
from .components.content import *  # noqa: F403
from .components.contentful import *  # noqa: F403
from .components.core import *  # noqa: F403
from .components.database import *  # noqa: F403
from .components.email import *  # noqa: F403
from .components.env import *  # noqa: F403
from .components.kms import *  # noqa: F403
from .components.kyc import *  # noqa: F403
from .components.logging import *  # noqa: F403
from .components.marketing import *  # noqa: F403
from .components.notifications import *  # noqa: F403
from .components.privacy import *  # noqa: F403
from .components.rest import *  # noqa: F403
from .components.rooms import *  # noqa: F403
from .components.security import *  # noqa: F403
from .components.sms import *  # noqa: F403
from .components.stripe import *  # noqa: F403
from .components.typeform import *  # noqa: F403
from .components.video import *  # noqa: F403
from .components.wagtail import *  # noqa: F403
from .components.webpush import *  # noqa: F403
