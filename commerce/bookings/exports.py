"""The person's bookings in their data export (privacy.export). Their mobile number and SMS
consent moved to notifications.ContactPoint, which exports them (decision 0038)."""

from collections.abc import Iterator

from privacy.export import ExportItem, json_file, register


def bookings_export(user) -> Iterator[ExportItem]:
    from commerce.bookings.models import Booking

    yield json_file(
        "bookings.json",
        list(
            Booking.objects.filter(client=user)
            .order_by("starts_at", "pk")
            .values(
                "id",
                "practitioner__display_name",
                "service__name",
                "starts_at",
                "ends_at",
                "status",
                "pay_with",
                "price_amount",
                "price_currency",
                "price_credits",
                "confirmed_at",
                "completed_at",
                "cancelled_at",
                "cancellation_reason",
                "rescheduled_at",
                "refund_amount",
                "created_at",
            )
        ),
    )


def practice_export(user) -> Iterator[ExportItem]:
    """A practitioner's own schedule settings (availability, overrides, time off, linked
    calendars without their secret feed addresses)."""
    from commerce.bookings.models import AvailabilityRule, DateOverride, ExternalCalendar, TimeOff

    yield json_file(
        "availability.json",
        {
            "weekly": list(
                AvailabilityRule.objects.filter(practitioner__user=user).values(
                    "weekday", "start_time", "end_time", "valid_from", "valid_until"
                )
            ),
            "date_overrides": list(
                DateOverride.objects.filter(practitioner__user=user).values(
                    "date", "start_time", "end_time"
                )
            ),
            "time_off": list(
                TimeOff.objects.filter(practitioner__user=user).values(
                    "starts_at", "ends_at", "reason"
                )
            ),
            "external_calendars": list(
                ExternalCalendar.objects.filter(practitioner__user=user).values(
                    "is_active", "created_at", "last_succeeded_at"
                )
            ),
        },
    )


def register_exports() -> None:
    register(
        "bookings",
        bookings_export,
        models=("bookings.Booking",),
    )
    register(
        "practice_schedule",
        practice_export,
        models=(
            "bookings.AvailabilityRule",
            "bookings.DateOverride",
            "bookings.TimeOff",
            "bookings.ExternalCalendar",
        ),
    )
    from privacy.export import exclude

    exclude(
        models=("bookings.CalendarFeedToken",),
        reason="a secret token for the practitioner's calendar feed; exporting it would leak "
        "a credential",
    )
