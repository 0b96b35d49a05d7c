from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def reminders_for_current_start(apps, schema_editor):
    """Existing reminders were about the booking's start as it is now."""
    BookingReminder = apps.get_model("bookings", "BookingReminder")
    Booking = apps.get_model("bookings", "Booking")
    BookingReminder.objects.filter(for_starts_at__isnull=True).update(
        for_starts_at=Subquery(Booking.objects.filter(pk=OuterRef("booking_id")).values("starts_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_notifications_reminders_feed"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="rescheduled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="booking",
            name="reschedule_count",
            field=models.PositiveIntegerField(
                default=0,
                help_text="How many times the session was moved; raises the ICS SEQUENCE.",
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="no_show_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the practitioner reported the client absent.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="bookingnotice",
            name="event",
            field=models.CharField(
                choices=[
                    ("confirmed", "Confirmed"),
                    ("cancelled", "Cancelled"),
                    ("rescheduled", "Rescheduled"),
                    ("no_show", "No-show"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="bookingreminder",
            name="for_starts_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(reminders_for_current_start, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="bookingreminder",
            name="for_starts_at",
            field=models.DateTimeField(),
        ),
        migrations.RemoveConstraint(
            model_name="bookingreminder",
            name="bookings_reminder_once",
        ),
        migrations.AddConstraint(
            model_name="bookingreminder",
            constraint=models.UniqueConstraint(
                fields=("booking", "kind", "channel", "for_starts_at"),
                name="bookings_reminder_once_per_start",
            ),
        ),
    ]
