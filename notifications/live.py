"""The bell's live count. Every open page of a signed-in person listens on one channel-layer
group (notifications.consumers); publish_unread tells that group the current unread count
after something changed it (a new in-app notification, one read, all read).

The event carries the count itself, not "something changed": a tab that missed one event
is corrected by the next, and no socket has to ask the database again."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

EVENT_TYPE = "notifications.unread"


def group_name(user_id: int) -> str:
    """The channel-layer group of one person's open pages."""
    return f"notifications.user.{user_id}"


def unread_event(count: int) -> dict:
    """The frame sockets forward and the group message they receive: the same shape."""
    return {"type": EVENT_TYPE, "count": count}


def publish_unread(user_id: int) -> None:
    """Sends the person's current unread count to their open pages.

    Call it after the change has committed (transaction.on_commit), or the count read here
    may not include it. Never raises: the live count is a nicety and the page polls when
    its socket is gone, so a channel layer that is down (Redis restarting) is logged and
    nothing else fails with it."""
    # Imported here: selectors reach the models, and this module is imported by the
    # WebSocket routing before the app registry may be ready.
    from notifications.selectors import unread_count

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        count = unread_count(_recipient(user_id))
        async_to_sync(layer.group_send)(group_name(user_id), unread_event(count))
    except Exception:
        logger.warning("notifications.live: could not publish the unread count", exc_info=True)


def unread_count_warm(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: reads the bell's count into the cache at sign-in.

    Every page shows the bell, so the first page after signing in would otherwise be the
    one that pays for the count; sign-in already writes the session and is rare, and later
    pages then read the count from the cache with no query until it changes."""
    from notifications.selectors import unread_count

    if user is not None and user.pk is not None:
        unread_count(user)


def _recipient(user_id: int):
    from django.contrib.auth import get_user_model

    # unread_count filters and caches by the user's id; a full row is not needed for that.
    return get_user_model()(pk=user_id)
