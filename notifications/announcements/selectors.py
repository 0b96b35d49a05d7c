"""What the announcement screens show: how many people it reaches and how it looks."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from accounts.models import User
from notifications import kinds, preferences, rendering
from notifications.announcements.models import Announcement
from notifications.channels import RenderedEmail, RenderedInApp
from notifications.kinds import Channel
from notifications.models import Notification, NotificationPreference
from notifications.segments import segment_get, segment_recipients


@dataclass(frozen=True)
class Reach:
    audience: int  # active accounts in the segment
    reached: int  # of those, how many get it on at least one chosen channel


@dataclass(frozen=True)
class Preview:
    reach: Reach | None
    audience_error: str
    email: RenderedEmail | None
    in_app: RenderedInApp | None


def audience_label(announcement: Announcement) -> str:
    try:
        return segment_get(announcement.segment_key).label
    except KeyError:
        return announcement.segment_key


def announcement_reach(announcement: Announcement) -> Reach:
    """Counted with two queries, whatever the audience's size. ValidationError when the
    audience no longer exists."""
    recipients = segment_recipients(
        key=announcement.segment_key, params=announcement.segment_params
    )
    category = kinds.get(announcement.type_key).category
    audience = recipients.count()
    channels = [Channel(channel) for channel in announcement.channels]
    if any(preferences.is_locked(category, channel) for channel in channels):
        return Reach(audience=audience, reached=audience)
    on_by_default = [c for c in channels if preferences.default_enabled(category, c)]
    choices = NotificationPreference.objects.filter(category=category, channel__in=channels)
    if on_by_default:
        # Everyone but those who turned every chosen default-on channel off.
        opted_out = choices.filter(enabled=False, channel__in=on_by_default).values("user")
        reached = recipients.exclude(pk__in=opted_out).count()
    else:
        reached = recipients.filter(pk__in=choices.filter(enabled=True).values("user")).count()
    return Reach(audience=audience, reached=reached)


def announcement_preview(announcement: Announcement, *, viewer: User) -> Preview:
    """The email and the in-app item as `viewer` would get them, rendered by the
    notification service's own templates, and the reach."""
    try:
        reach: Reach | None = announcement_reach(announcement)
        audience_error = ""
    except ValidationError as error:
        reach, audience_error = None, "; ".join(error.messages)
    # Never saved: the same object notify() would build, to render it.
    notification = Notification(
        recipient=viewer,
        type_key=announcement.type_key,
        category=kinds.get(announcement.type_key).category,
        dedupe_key=f"announcement:{announcement.pk}:preview",
        context={
            "announcement_id": announcement.pk,
            "title": announcement.title,
            "body": announcement.body,
        },
        link=announcement.link,
    )
    usable = rendering.type_channels(kinds.get(announcement.type_key))
    email = (
        rendering.render_email(notification)
        if Channel.EMAIL in announcement.channels and Channel.EMAIL in usable
        else None
    )
    in_app = (
        rendering.render_in_app(notification)
        if Channel.IN_APP in announcement.channels and Channel.IN_APP in usable
        else None
    )
    return Preview(reach=reach, audience_error=audience_error, email=email, in_app=in_app)
