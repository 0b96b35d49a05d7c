"""{% room_join booking as join %}: the room window of a booking that has a room (a
confirmed online session), for the Join buttons on the booking pages, the bookings list
and the practice dashboard. Pure arithmetic on the booking's own fields: no query, so a
list of bookings stays one query."""

from django import template

from commerce.bookings.models import Booking
from commerce.rooms.selectors import RoomWindow, room_window

register = template.Library()


@register.simple_tag
def room_join(booking: Booking) -> RoomWindow | None:
    if booking.status != Booking.Status.CONFIRMED or not booking.service.is_online:
        return None
    return room_window(booking)
