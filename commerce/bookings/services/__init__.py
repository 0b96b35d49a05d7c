"""Every write in bookings, by concern: external calendars (`calendars`), holds and
payment (`holds`), moving a booking (`reschedules`), cancellations, no-shows and the end
of a booking's life (`cancellations`).
Callers import from here."""

from commerce.bookings.services.calendars import (
    CALENDAR_HORIZON,
    CALENDAR_MAX_BYTES,
    CALENDAR_MAX_EVENTS,
    CALENDAR_TOTAL_TIMEOUT,
    CalendarFetchError,
    calendar_busy_intervals,
    external_calendar_refresh,
)
from commerce.bookings.services.cancellations import (
    NO_SHOW_WINDOW,
    booking_cancel,
    booking_mark_completed,
    booking_mark_no_show,
    bookings_complete_past,
    bookings_expire_holds,
)
from commerce.bookings.services.holds import (
    BOOKING_HOLD_MINUTES,
    booking_confirm_with_credits,
    booking_confirm_with_membership,
    booking_confirm_with_sponsor,
    booking_hold,
    booking_record_card_paid,
    booking_release_hold,
    booking_start_card_checkout,
)
from commerce.bookings.services.reschedules import booking_can_reschedule, booking_reschedule

__all__ = [
    "BOOKING_HOLD_MINUTES",
    "CALENDAR_HORIZON",
    "CALENDAR_MAX_BYTES",
    "CALENDAR_MAX_EVENTS",
    "CALENDAR_TOTAL_TIMEOUT",
    "CalendarFetchError",
    "NO_SHOW_WINDOW",
    "booking_can_reschedule",
    "booking_cancel",
    "booking_confirm_with_credits",
    "booking_confirm_with_membership",
    "booking_confirm_with_sponsor",
    "booking_hold",
    "booking_mark_completed",
    "booking_mark_no_show",
    "booking_record_card_paid",
    "booking_release_hold",
    "booking_reschedule",
    "booking_start_card_checkout",
    "bookings_complete_past",
    "bookings_expire_holds",
    "calendar_busy_intervals",
    "external_calendar_refresh",
]
