"""The sessions a note can be written about. Bookings live in commerce, a layer above, so
commerce registers the lister from its AppConfig.ready() and this app never imports it:

    from marketplace.clients.notes.sessions import register_session_lister
    register_session_lister(sessions_between)

A lister is `fn(*, client_id, practitioner_id) -> list[SessionRef]`: the sessions that
took place or are booked between the two (confirmed, completed or no-show), newest
first."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SessionRef:
    booking_id: int
    starts_at: datetime
    label: str


SessionLister = Callable[..., list[SessionRef]]

_listers: dict[str, SessionLister] = {}


def register_session_lister(fn: SessionLister, *, name: str = "bookings") -> None:
    _listers[name] = fn


def sessions_for(*, client_id: int, practitioner_id: int) -> list[SessionRef]:
    found: list[SessionRef] = []
    for lister in _listers.values():
        found.extend(lister(client_id=client_id, practitioner_id=practitioner_id))
    return sorted(found, key=lambda ref: ref.starts_at, reverse=True)
