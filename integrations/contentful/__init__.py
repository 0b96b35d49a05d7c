"""Contentful behind a port (DESIGN.md §4). `get_contentful()` returns the adapter named by
the CONTENTFUL_GATEWAY setting, the way EMAIL_BACKEND works."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.contentful.protocol import ContentfulGateway


@cache
def get_contentful() -> ContentfulGateway:
    return import_string(settings.CONTENTFUL_GATEWAY)()
