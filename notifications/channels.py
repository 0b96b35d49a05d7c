"""The senders behind each channel. notify-core registers email and SMS here; the push
app registers `Channel.PUSH` from its AppConfig.ready(). In-app needs no sender: its
delivery is the notification row itself, recorded sent when it commits.

A sender is `sender(delivery, rendered) -> provider message id`. It raises
`ChannelError(message, retryable=...)` when the provider refused or could not be reached,
and `ChannelUnavailable(reason)` when the channel cannot reach this person at all (no
push subscription, no consent): the delivery is then skipped, not retried."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from notifications.kinds import Channel, EmailExtras

if TYPE_CHECKING:
    from notifications.models import Delivery


class ChannelError(Exception):
    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


class ChannelUnavailable(Exception):  # noqa: N818 - the spec's name; it is a state, not a bug
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RenderedInApp:
    title: str
    body: str


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    extras: EmailExtras


@dataclass(frozen=True)
class RenderedSms:
    body: str


@dataclass(frozen=True)
class RenderedPush:
    """What a push shows: a generic title and line, never health details or message
    text (a lock screen is public). `tag` lets a newer push replace an older one."""

    title: str
    body: str
    url: str
    tag: str


Sender = Callable[["Delivery", Any], str]

_senders: dict[str, Sender] = {}


def register_sender(channel: Channel, sender: Sender) -> None:
    """Sets the sender of `channel` (again from ready() is fine: it replaces)."""
    _senders[Channel(channel)] = sender


def channel_sender(channel: Channel | str) -> Sender:
    """The registered sender; ChannelUnavailable when none is (push not installed)."""
    try:
        return _senders[Channel(channel)]
    except KeyError:
        raise ChannelUnavailable(f"no sender for {channel}") from None
