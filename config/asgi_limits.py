"""A bound on how many HTTP requests run Django code at once in one web process.

Under ASGI each request runs its sync views and middleware in a thread of its own (Django
wraps every request in asgiref's ThreadSensitiveContext), with no cap: a burst of 300
requests would mean 300 threads and 300 database connections. gunicorn's gthread workers
had a fixed thread count, which also capped connections. This restores that cap: requests
beyond it wait their turn on the event loop (cheaply, without a thread) instead of being
refused, as they waited in gthread's queue. WebSockets are not counted: an open socket
costs no thread while idle.
"""

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

# The shapes Django's ASGIHandler is typed with.
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ConcurrentRequestLimit:
    def __init__(self, application: ASGIApp, *, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.application = application
        self.limit = limit
        # One semaphore per event loop: a semaphore belongs to the loop it first waits on,
        # and tests drive the application from several loops in one process.
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.limit)
        return semaphore

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with self._semaphore():
            await self.application(scope, receive, send)
