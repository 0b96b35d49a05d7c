"""SMS behind a port (DESIGN.md §4). `get_sms_sender()` returns the adapter named by the
SMS_SENDER setting, the way EMAIL_BACKEND works."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.sms.protocol import SmsSender


@cache
def get_sms_sender() -> SmsSender:
    return import_string(settings.SMS_SENDER)()
