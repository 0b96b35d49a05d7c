"""ws/notifications/: the bell's live unread count for the signed-in person.

The socket is authenticated by the session cookie (config.asgi's AuthMiddlewareStack) and
origin-checked there too. It only ever carries a number, never a notification's text, so
nothing a person may not see can reach it; other people's counts travel in other groups."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications import live

# Close codes the page's script understands (bell.js): not signed in → stop and poll,
# which then learns the session has ended.
CLOSE_NOT_SIGNED_IN = 4401
# The page only ever sends {"type": "refresh"}.
MAX_FRAME_CHARACTERS = 256


class UnreadCountConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accepted first so the close code reaches the browser: a refused handshake
            # only shows as a failed connection, which the script would keep retrying.
            await self.accept()
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        self.group = live.group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(live.unread_event(await _unread_count(user)))

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # Bad frames are dropped, not answered by a crashed consumer: the socket is for
        # our own script, and a stray or oversized frame should cost nothing.
        if not text_data or len(text_data) > MAX_FRAME_CHARACTERS:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs) -> None:
        # The page asks again after it was hidden for a while; anything else is ignored
        # (the socket is a one-way feed).
        if isinstance(content, dict) and content.get("type") == "refresh" and self.group:
            await self.send_json(live.unread_event(await _unread_count(self.scope["user"])))

    async def notifications_unread(self, event: dict) -> None:
        """A group message from live.publish_unread (type "notifications.unread")."""
        count = event.get("count")
        if isinstance(count, int) and count >= 0:
            await self.send_json(live.unread_event(count))


@database_sync_to_async
def _unread_count(user) -> int:
    from notifications.selectors import unread_count

    return unread_count(user)
