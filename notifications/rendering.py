"""Turns a notification into each channel's text, from the type's templates:
`subject.txt`, `body.txt`, `body.html` (email), `sms.txt`, `push.txt` (title line, then
body line) and `in_app.txt` (title line, then the body). A type without a channel's
template does not use that channel. Rendering runs in the person's language and time
zone, with the stored context plus `recipient`, `site_url` and `notification`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from django.conf import settings as django_settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from notifications import kinds
from notifications.channels import RenderedEmail, RenderedInApp, RenderedPush, RenderedSms
from notifications.kinds import Channel, EmailExtras, NotificationType
from notifications.models import Notification, NotificationSettings
from notifications.timing import person_zone

# The template that decides whether a type can use a channel at all.
CHANNEL_TEMPLATES: dict[Channel, str] = {
    Channel.IN_APP: "in_app.txt",
    Channel.EMAIL: "body.txt",
    Channel.SMS: "sms.txt",
    Channel.PUSH: "push.txt",
}


def template_exists(name: str) -> bool:
    if not django_settings.DEBUG:
        return _template_exists_cached(name)
    return _template_exists(name)


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


# Templates do not appear at run time outside development; the lookup walks every app's
# folder, so it is remembered. Tests that add template folders clear it (cache_clear).
_template_exists_cached = lru_cache(maxsize=1024)(_template_exists)


def type_channels(notification_type: NotificationType) -> set[Channel]:
    """The channels the type allows and has a template for."""
    return {
        channel
        for channel in notification_type.channels
        if template_exists(notification_type.templates + CHANNEL_TEMPLATES[channel])
    }


def language_for(notification: Notification) -> str:
    if notification.recipient_id:
        chosen = (
            NotificationSettings.objects.filter(user_id=notification.recipient_id)
            .values_list("language", flat=True)
            .first()
        )
        if chosen:
            return chosen
    return django_settings.LANGUAGE_CODE


@contextmanager
def person_locale(notification: Notification, language: str | None = None) -> Iterator[None]:
    with (
        translation.override(language or language_for(notification)),
        timezone.override(person_zone(notification.recipient)),
    ):
        yield


def _context(notification: Notification) -> dict:
    return {
        **(notification.context or {}),
        "recipient": notification.recipient,
        "site_url": django_settings.SITE_URL.rstrip("/"),
        "notification": notification,
        "link_url": absolute_link(notification.link),
    }


def absolute_link(link: str) -> str:
    if not link:
        return ""
    if link.startswith(("http://", "https://")):
        return link
    return django_settings.SITE_URL.rstrip("/") + "/" + link.lstrip("/")


def _render(notification_type: NotificationType, name: str, context: dict) -> str:
    return render_to_string(notification_type.templates + name, context)


def _two_parts(text: str) -> tuple[str, str]:
    """First non-blank line, then the rest joined into one line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "", ""
    return lines[0], " ".join(lines[1:])


def render_in_app(notification: Notification, *, language: str | None = None) -> RenderedInApp:
    notification_type = kinds.get(notification.type_key)
    with person_locale(notification, language):
        title, body = _two_parts(_render(notification_type, "in_app.txt", _context(notification)))
    return RenderedInApp(title=title, body=body)


def render_email(notification: Notification) -> RenderedEmail:
    notification_type = kinds.get(notification.type_key)
    context = _context(notification)
    with person_locale(notification):
        subject = " ".join(_render(notification_type, "subject.txt", context).split())
        text = _render(notification_type, "body.txt", context).strip() + "\n"
        html_name = notification_type.templates + "body.html"
        html = render_to_string(html_name, context) if template_exists(html_name) else ""
        extras = (
            notification_type.email_extras(notification)
            if notification_type.email_extras
            else EmailExtras()
        )
    return RenderedEmail(subject=subject, text=text, html=html, extras=extras)


def render_sms(notification: Notification) -> RenderedSms:
    notification_type = kinds.get(notification.type_key)
    with person_locale(notification):
        body = " ".join(_render(notification_type, "sms.txt", _context(notification)).split())
    return RenderedSms(body=body)


def render_push(notification: Notification) -> RenderedPush:
    notification_type = kinds.get(notification.type_key)
    with person_locale(notification):
        title, body = _two_parts(_render(notification_type, "push.txt", _context(notification)))
    return RenderedPush(
        title=title,
        body=body,
        url=notification.link or "/account/notifications/",
        tag=notification.type_key,
    )


def render_for(
    notification: Notification, channel: str
) -> RenderedInApp | RenderedEmail | RenderedSms | RenderedPush:
    """The rendered content a channel's sender takes."""
    renderers: dict[Channel, Callable[[Notification], Any]] = {
        Channel.IN_APP: render_in_app,
        Channel.EMAIL: render_email,
        Channel.SMS: render_sms,
        Channel.PUSH: render_push,
    }
    return renderers[Channel(channel)](notification)
