from django import template
from django.utils.safestring import SafeString

from notifications.announcements import markup

register = template.Library()


@register.filter
def announcement_html(text: str, base_url: str = "") -> SafeString:
    return markup.to_html(text or "", base_url=base_url or "")


@register.filter
def announcement_plain(text: str, base_url: str = "") -> str:
    return markup.to_plain(text or "", base_url=base_url or "")


@register.filter
def announcement_summary(text: str) -> str:
    return markup.summary(text or "")
