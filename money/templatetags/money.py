"""`{{ amount|money:currency }}` (integer minor units) or `{{ price|money }}` (a Money):
the one way templates show money."""

from django import template
from django.conf import settings

from money.values import Money

register = template.Library()


@register.filter
def money(value, currency: str | None = None) -> str:
    if isinstance(value, Money):
        return value.format()
    try:
        return Money(int(value), currency or settings.COMMERCE_CURRENCY).format()
    except (TypeError, ValueError):
        # A template shows nothing rather than fail the page on a bad value.
        return ""
