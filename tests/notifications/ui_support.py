"""Helpers for the notification centre's page, API and live tests (notify-ui): in-app
notifications made as the service stores them (a Notification and its in-app Delivery)."""

import datetime as dt

from django.utils import timezone

from notifications import selectors
from notifications.kinds import Category, Channel
from notifications.models import Delivery, Notification


def in_app_notification(
    user,
    *,
    title: str = "Your booking is confirmed",
    body: str = "Tuesday 10:00 with Sam.",
    link: str = "/account/bookings/",
    read: bool = False,
    minutes_ago: int = 0,
    category: str = Category.BOOKINGS,
    dedupe_key: str | None = None,
) -> Notification:
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    notification = Notification.objects.create(
        recipient=user,
        type_key="tests.ui",
        category=category,
        dedupe_key=dedupe_key or f"ui:{Notification.objects.count()}:{title}",
        title=title,
        body=body,
        link=link,
        created_at=created,
        read_at=created if read else None,
    )
    Delivery.objects.create(
        notification=notification, channel=Channel.IN_APP, state=Delivery.State.SENT
    )
    # As notify() does when it creates one: the cached count is stale now.
    selectors.unread_count_forget(user.pk)
    return notification
