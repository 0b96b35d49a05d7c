"""What the push toggle needs, so any page can include it without passing context."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def webpush_public_key() -> str:
    """The VAPID public key browsers subscribe with (`applicationServerKey`)."""
    return settings.WEBPUSH_VAPID_PUBLIC_KEY
