"""What the notification service holds about a person, for their export and erasure."""

from collections.abc import Iterator

from privacy.export import ExportItem, json_file
from privacy.export import register as export_register
from privacy.registry import ErasureSubject, eraser_register

MODELS = (
    "notifications.Notification",
    "notifications.Delivery",
    "notifications.NotificationPreference",
    "notifications.NotificationSettings",
    "notifications.ContactPoint",
)


def notifications_export(user) -> Iterator[ExportItem]:
    """The person's notifications (their in-app text and how each channel went), their
    choices, quiet hours and the number texts go to."""
    from notifications.models import (
        ContactPoint,
        Delivery,
        Notification,
        NotificationPreference,
        NotificationSettings,
    )

    deliveries: dict[int, list[dict]] = {}
    for delivery in Delivery.objects.filter(notification__recipient=user).order_by("pk"):
        deliveries.setdefault(delivery.notification_id, []).append(
            {"channel": delivery.channel, "state": delivery.state, "sent_at": delivery.sent_at}
        )
    yield json_file(
        "notifications.json",
        [
            {
                "type": notification.type_key,
                "category": notification.category,
                "title": notification.title,
                "body": notification.body,
                "link": notification.link,
                "created_at": notification.created_at,
                "read_at": notification.read_at,
                "deliveries": deliveries.get(notification.pk, []),
            }
            for notification in Notification.objects.filter(recipient=user).order_by(
                "created_at", "pk"
            )
        ],
    )
    settings = NotificationSettings.objects.filter(user=user).first()
    contact = ContactPoint.objects.filter(user=user).first()
    yield json_file(
        "preferences.json",
        {
            "choices": [
                {"category": row.category, "channel": row.channel, "enabled": row.enabled}
                for row in NotificationPreference.objects.filter(user=user).order_by("pk")
            ],
            "quiet_hours": (
                {"start": settings.quiet_start, "end": settings.quiet_end}
                if settings and settings.quiet_start
                else None
            ),
            "email_digest": bool(settings and settings.email_digest),
            "digest_hour": settings.digest_hour if settings else None,
            "language": settings.language if settings else "",
            "mobile_number": contact.phone_number if contact else "",
            "text_messages_agreed": bool(contact and contact.sms_opt_in),
            "text_messages_agreed_at": contact.sms_consent_at if contact else None,
            "text_messages_withdrawn_at": contact.sms_withdrawn_at if contact else None,
        },
    )


def notifications_erase(subject: ErasureSubject) -> int:
    """Deletes the person's notifications (with their deliveries), those sent to their
    email address without an account, their choices, settings and contact point. A
    suppressed-address digest stays: it holds no address, and it keeps the platform from
    mailing an address that complained."""
    from notifications.models import (
        ContactPoint,
        Notification,
        NotificationPreference,
        NotificationSettings,
    )

    deleted, _ = Notification.objects.filter(
        recipient__isnull=True, email__iexact=subject.email
    ).delete()
    if subject.user is not None:
        for model in (Notification, NotificationPreference, NotificationSettings, ContactPoint):
            count, _ = model.objects.filter(
                **({"recipient": subject.user} if model is Notification else {"user": subject.user})
            ).delete()
            deleted += count
    return deleted


def register() -> None:
    eraser_register(name="notifications", eraser=notifications_erase, models=MODELS)
    export_register("notifications", notifications_export, models=MODELS)
