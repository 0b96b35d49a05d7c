"""Reads for session rooms: the room's window, who may enter, the recording state, the
chat a (re)joining participant is sent, and attendance for the practice dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from commerce.bookings.models import Booking
from commerce.rooms.models import ChatMessage, Recording, Room, RoomEvent

Role = Literal["client", "practitioner"]
WindowState = Literal["early", "open", "ended"]

# A booking keeps its room page (saying it has ended) once completed or reported as a
# no-show; held, cancelled and expired bookings never had one.
STATUSES_WITH_ROOM = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class RoomWindow:
    opens_at: datetime
    closes_at: datetime
    state: WindowState

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True)
class RoomAccess:
    """One participant's entry to one booking's room."""

    booking: Booking
    user: User
    role: Role
    other_user: User

    @property
    def other_role(self) -> Role:
        return "client" if self.role == "practitioner" else "practitioner"


@dataclass(frozen=True)
class Attendance:
    """Who came to a session's room and for how long (whole minutes, rounded down)."""

    client_joined: bool
    practitioner_joined: bool
    client_minutes: int
    practitioner_minutes: int
    first_joined_at: datetime | None
    delivered_by_phone: bool


def room_window(booking: Booking, *, now: datetime | None = None) -> RoomWindow:
    """The room opens ROOM_OPENS_MINUTES before the start and closes ROOM_GRACE_MINUTES
    after the end. A booking that is no longer confirmed (completed, delivered by phone,
    a no-show) has an ended room whatever the clock says."""
    now = timezone.now() if now is None else now
    opens_at = booking.starts_at - timedelta(minutes=settings.ROOM_OPENS_MINUTES)
    closes_at = booking.ends_at + timedelta(minutes=settings.ROOM_GRACE_MINUTES)
    state: WindowState
    if booking.status != Booking.Status.CONFIRMED or now >= closes_at:
        state = "ended"
    elif now < opens_at:
        state = "early"
    else:
        state = "open"
    return RoomWindow(opens_at=opens_at, closes_at=closes_at, state=state)


def room_for_participant(*, user, booking_id: int | str) -> RoomAccess:
    """The room of booking `booking_id` as `user` enters it. Http404 for anyone who is not
    the booking's client or its practitioner's user (staff included: a room is not theirs
    to look into), for in-person services and for bookings that never had a room."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such room.")
    try:
        pk = int(booking_id)
    except (TypeError, ValueError):
        raise Http404("No such room.") from None
    if not 0 < pk <= BIGINT_MAX:
        raise Http404("No such room.")
    booking = (
        Booking.objects.select_related("service", "practitioner__user", "client")
        .filter(pk=pk, status__in=STATUSES_WITH_ROOM, service__is_online=True)
        .filter(Q(client_id=user.pk) | Q(practitioner__user_id=user.pk))
        .first()
    )
    if booking is None:
        raise Http404("No such room.")
    if booking.practitioner.user_id == user.pk:
        return RoomAccess(
            booking=booking, user=user, role="practitioner", other_user=booking.client
        )
    return RoomAccess(
        booking=booking, user=user, role="client", other_user=booking.practitioner.user
    )


def room_group(booking_id: int) -> str:
    """The channel-layer group of everyone in a booking's room (room-wide frames: chat,
    recording state, closing)."""
    return f"rooms.booking.{booking_id}"


def participant_group(booking_id: int, role: str) -> str:
    """One participant's sockets in a booking's room: signals go only here, to the other
    side, never to the room-wide group."""
    return f"rooms.booking.{booking_id}.{role}"


def current_recording(room: Room) -> Recording | None:
    return Recording.objects.filter(room=room, stopped_at__isnull=True).first()


def recording_frame(recording: Recording | None) -> dict[str, Any]:
    """The `recording` frame both participants are sent whenever its state changes."""
    if recording is None:
        state = "stopped"
        consented = {"client": False, "practitioner": False}
    else:
        consented = {
            "client": recording.consent_client_at is not None,
            "practitioner": recording.consent_practitioner_at is not None,
        }
        state = "recording" if recording.is_running else "consent_needed"
    return {"type": "recording", "state": state, "consented": consented}


def chat_history(room: Room, *, booking: Booking) -> list[dict[str, Any]]:
    """The latest ROOM_CHAT_HISTORY chat lines, oldest first, as the socket sends them."""
    rows = list(
        ChatMessage.objects.filter(room=room).order_by("-sent_at", "-pk")[
            : settings.ROOM_CHAT_HISTORY
        ]
    )
    rows.reverse()
    return [chat_frame(row, booking=booking) for row in rows]


def chat_frame(message: ChatMessage, *, booking: Booking) -> dict[str, Any]:
    side = "practitioner" if message.sender_id == booking.practitioner.user_id else "client"
    return {"type": "chat", "from": side, "text": message.body, "at": message.sent_at.isoformat()}


def is_present(*, booking_id: int, user_id: int) -> bool:
    """Whether `user_id` has a socket open in the room: more joins than leaves (every
    socket records one of each; a reconnect may join before the old socket leaves)."""
    counts = RoomEvent.objects.filter(booking_id=booking_id, user_id=user_id).aggregate(
        joined=Count("pk", filter=Q(kind=RoomEvent.Kind.JOINED)),
        left=Count("pk", filter=Q(kind=RoomEvent.Kind.LEFT)),
    )
    return counts["joined"] > counts["left"]


def _present_seconds(intervals: list[tuple[str, datetime]], *, until: datetime) -> float:
    """Seconds between each join and the next leave; a join never followed by a leave
    (the process died, the window closed) counts until `until`. Nested joins (a second
    tab, a reconnect before the old socket closed) count once."""
    total = 0.0
    open_since: datetime | None = None
    depth = 0
    for kind, at in intervals:
        if kind == RoomEvent.Kind.JOINED:
            if depth == 0:
                open_since = at
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0 and open_since is not None:
                total += max((min(at, until) - open_since).total_seconds(), 0)
                open_since = None
    if depth > 0 and open_since is not None:
        total += max((until - open_since).total_seconds(), 0)
    return total


def attendance_for(
    bookings: Iterable[Booking], *, now: datetime | None = None
) -> dict[int, Attendance]:
    """Attendance per booking id, in two queries whatever the number of bookings: the
    joined/left events of all of them, and their rooms (delivered by phone). Bookings
    nobody entered are present with zeros, so the dashboard can offer "no-show"."""
    now = timezone.now() if now is None else now
    by_id = {booking.pk: booking for booking in bookings}
    if not by_id:
        return {}
    events: dict[tuple[int, int], list[tuple[str, datetime]]] = {}
    for booking_id, user_id, kind, at in (
        RoomEvent.objects.filter(
            booking_id__in=by_id,
            kind__in=[RoomEvent.Kind.JOINED, RoomEvent.Kind.LEFT],
            user_id__isnull=False,
        )
        .order_by("booking_id", "at", "pk")
        .values_list("booking_id", "user_id", "kind", "at")
    ):
        events.setdefault((booking_id, user_id), []).append((kind, at))
    by_phone = set(
        Room.objects.filter(booking_id__in=by_id, delivered_by_phone_at__isnull=False).values_list(
            "booking_id", flat=True
        )
    )
    result: dict[int, Attendance] = {}
    for booking_id, booking in by_id.items():
        until = min(now, booking.ends_at + timedelta(minutes=settings.ROOM_GRACE_MINUTES))
        # practitioner.user_id is a column of the practitioner row; callers pass bookings
        # with select_related("practitioner") to keep this query-free.
        practitioner_user_id = booking.practitioner.user_id
        client_events = events.get((booking_id, booking.client_id), [])
        practitioner_events = events.get((booking_id, practitioner_user_id), [])
        joins = [
            at for kind, at in client_events + practitioner_events if kind == RoomEvent.Kind.JOINED
        ]
        result[booking_id] = Attendance(
            client_joined=bool(client_events),
            practitioner_joined=bool(practitioner_events),
            client_minutes=int(_present_seconds(client_events, until=until) // 60),
            practitioner_minutes=int(_present_seconds(practitioner_events, until=until) // 60),
            first_joined_at=min(joins) if joins else None,
            delivered_by_phone=booking_id in by_phone,
        )
    return result
