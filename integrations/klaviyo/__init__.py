"""Klaviyo behind a port (DESIGN.md §4). `get_klaviyo()` returns the adapter named by the
KLAVIYO_GATEWAY setting, the way EMAIL_BACKEND works. Domain code does not call the
adapter directly: it uses `events.track_event_on_commit` and the other `*_on_commit`
helpers there, which send from Celery tasks with retries."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.klaviyo.protocol import KlaviyoGateway


@cache
def get_klaviyo() -> KlaviyoGateway:
    return import_string(settings.KLAVIYO_GATEWAY)()
