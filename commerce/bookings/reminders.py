"""What has been sent about a booking, one row per message, so each is sent once.

`BookingReminder`: the 24 h and 1 h reminders, per channel and session start. `BookingNotice`: the
confirmation, cancellation, reschedule and no-show emails, per audience and calendar sequence.

The row is the claim: it is inserted in its own transaction before anything is sent,
and the unique constraint lets exactly one of several concurrent workers insert it.
Delivery runs after that commit, at most once per row (`attempted_at` is set first by
a conditional UPDATE). A failure is written to `error` and is not retried
automatically, so a broken number or mailbox cannot loop; staff can see and resend.
"""

from django.db import models


class BookingReminder(models.Model):
    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", "24 hours before"
        HOUR_BEFORE = "1h", "1 hour before"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The session start the reminder is about: a rescheduled booking gets its reminders
    # again for the new time, and one claimed for the old time is not delivered.
    for_starts_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was claimed.")
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "channel", "for_starts_at"],
                name="bookings_reminder_once_per_start",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["24h", "1h"]), name="bookings_reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms"]),
                name="bookings_reminder_channel_valid",
            ),
        ]
        indexes = [models.Index(fields=["attempted_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} reminder for booking {self.booking_id}"


class BookingNotice(models.Model):
    class Event(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        RESCHEDULED = "rescheduled", "Rescheduled"
        NO_SHOW = "no_show", "No-show"

    class Audience(models.TextChoices):
        CLIENT = "client", "Client"
        PRACTITIONER = "practitioner", "Practitioner"

    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=16, choices=Event.choices)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    sequence = models.PositiveIntegerField(help_text="The ICS SEQUENCE the message carried.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "event", "audience", "sequence"], name="bookings_notice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} notice to {self.audience} for booking {self.booking_id}"
