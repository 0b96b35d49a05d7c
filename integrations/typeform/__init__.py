"""Typeform behind a port (DESIGN.md §4). `get_typeform()` returns the adapter named by the
TYPEFORM_GATEWAY setting, the way EMAIL_BACKEND works. Inbound responses arrive as
webhooks (`signatures` verifies them); the adapter builds form links and reads the
Responses API."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.typeform.protocol import TypeformGateway


@cache
def get_typeform() -> TypeformGateway:
    return import_string(settings.TYPEFORM_GATEWAY)()
