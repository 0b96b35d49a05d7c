"""Decision 0038: booking notices, reminders and SMS consent move to the notification
service.

1. Each ClientContactPreference becomes a notifications.ContactPoint (number, consent and
   withdrawal times kept as the consent evidence), unless the person already has one.
2. Reminder claims for sessions still ahead are carried over as notifications with the
   same dedupe key the reminder beat now uses, so nobody is reminded twice across the
   upgrade. A channel whose delivery never started is recorded as skipped (its stored
   context is too thin to render); a claim with no channel attempted is not carried, so
   the beat creates it afresh. Past sessions' claims and the notice rows have no further
   use: the messages themselves were sent, and the ESP keeps its own log.
3. The claim tables and the old preference table are dropped.
"""

from django.db import migrations
from django.utils import timezone

NOT_STARTED = "not started before the move to the notification service"


def copy_contact_points(apps, schema_editor):
    ClientContactPreference = apps.get_model("bookings", "ClientContactPreference")
    ContactPoint = apps.get_model("notifications", "ContactPoint")
    taken = set(ContactPoint.objects.values_list("user_id", flat=True))
    for preference in ClientContactPreference.objects.order_by("pk").iterator():
        if preference.user_id in taken:
            continue
        if not preference.phone_number and not preference.sms_opt_in:
            continue
        ContactPoint.objects.create(
            user_id=preference.user_id,
            phone_number=preference.phone_number,
            sms_opt_in=preference.sms_opt_in,
            sms_consent_at=preference.sms_opted_in_at,
            sms_withdrawn_at=preference.sms_opted_out_at,
        )


def copy_contact_points_back(apps, schema_editor):
    ClientContactPreference = apps.get_model("bookings", "ClientContactPreference")
    ContactPoint = apps.get_model("notifications", "ContactPoint")
    for contact in ContactPoint.objects.order_by("pk").iterator():
        ClientContactPreference.objects.update_or_create(
            user_id=contact.user_id,
            defaults={
                "phone_number": contact.phone_number,
                "sms_opt_in": contact.sms_opt_in,
                "sms_opted_in_at": contact.sms_consent_at,
                "sms_opted_out_at": contact.sms_withdrawn_at,
            },
        )


def carry_over_reminder_claims(apps, schema_editor):
    BookingReminder = apps.get_model("bookings", "BookingReminder")
    Notification = apps.get_model("notifications", "Notification")
    Delivery = apps.get_model("notifications", "Delivery")
    now = timezone.now()
    groups: dict[tuple, list] = {}
    claims = BookingReminder.objects.filter(
        booking__status="confirmed", booking__starts_at__gt=now
    ).select_related("booking")
    for claim in claims.order_by("pk").iterator():
        if claim.for_starts_at != claim.booking.starts_at:
            continue
        groups.setdefault((claim.booking_id, claim.kind, claim.for_starts_at), []).append(claim)
    for (booking_id, kind, starts_at), rows in groups.items():
        if all(row.attempted_at is None for row in rows):
            continue
        booking = rows[0].booking
        notification, created = Notification.objects.get_or_create(
            recipient_id=booking.client_id,
            type_key="bookings.reminder",
            dedupe_key=f"booking:{booking_id}:reminder:{kind}:{int(starts_at.timestamp())}",
            defaults={
                "category": "reminders",
                "context": {"booking_id": booking_id, "kind": kind, "carried_over": True},
                "title": "Session reminder",
                "body": "Your session starts in an hour."
                if kind == "1h"
                else "Your session starts in 24 hours.",
                "event_at": starts_at,
                "created_at": min(row.created_at for row in rows),
                "read_at": now,
            },
        )
        if not created:
            continue
        for row in rows:
            fields = {"claimed_at": row.attempted_at, "attempts": 1 if row.attempted_at else 0}
            if row.sent_at is not None:
                fields.update(
                    state="sent",
                    sent_at=row.sent_at,
                    provider_message_id=row.provider_message_id,
                    skip_reason="",
                )
            elif row.error:
                fields.update(state="failed", last_error=row.error)
            elif row.attempted_at is not None:
                # The worker died mid-send: the provider may have it. Like the service's
                # own `sending` rows, never sent again automatically.
                fields.update(state="sending")
            else:
                fields.update(state="skipped", skip_reason=NOT_STARTED)
            Delivery.objects.create(
                notification=notification,
                channel=row.channel,
                created_at=row.created_at,
                **fields,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_sms_consent_times"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_contact_points, copy_contact_points_back),
        migrations.RunPython(carry_over_reminder_claims, migrations.RunPython.noop),
        migrations.DeleteModel(name="ClientContactPreference"),
        migrations.DeleteModel(name="BookingNotice"),
        migrations.DeleteModel(name="BookingReminder"),
    ]
