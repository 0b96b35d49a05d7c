"""Stripe behind a port (DESIGN.md §4). `get_gateway()` returns the adapter named by the
STRIPE_GATEWAY setting, the way EMAIL_BACKEND works."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.stripe.protocol import StripeGateway


@cache
def get_gateway() -> StripeGateway:
    return import_string(settings.STRIPE_GATEWAY)()
