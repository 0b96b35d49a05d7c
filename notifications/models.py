"""Notifications, their per-channel deliveries, and what people chose about them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.encryption import EncryptedJSONField, EncryptedTextField
from notifications.kinds import Category, Channel


class Notification(models.Model):
    """One thing to tell one person (an account, or just an email address for a lead or
    an invitee). Unique on who, type and the caller's dedupe key, so a caller that runs
    twice creates it once. The context is kept encrypted: it may name a practitioner or
    a session, which is health data."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(blank=True)
    type_key = models.CharField(max_length=100)
    category = models.CharField(max_length=16, choices=Category.choices)
    dedupe_key = models.CharField(max_length=200)
    context = EncryptedJSONField(default=dict)
    link = models.CharField(max_length=500, blank=True)
    # The in-app text, rendered once at creation in the person's language.
    title = EncryptedTextField(blank=True)
    body = EncryptedTextField(blank=True)
    event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "type_key", "dedupe_key"],
                condition=Q(recipient__isnull=False),
                name="notifications_unique_per_recipient",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "type_key",
                "dedupe_key",
                condition=Q(recipient__isnull=True),
                name="notifications_unique_per_email",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""),
                name="notifications_has_recipient_or_email",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notifications_recipient_new"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notifications_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type_key} #{self.pk}"

    @property
    def address(self) -> str:
        """Where its email goes: the account's address, or the one given for a lead."""
        return self.recipient.email if self.recipient_id else self.email


class Delivery(models.Model):
    """One channel of one notification, sent at most once: the row is claimed (state
    sending, committed) before the provider is called, so a task that runs twice or a
    worker that dies mid-send never sends it again."""

    class State(models.TextChoices):
        PENDING = "pending", "Queued"
        HELD = "held", "Held (quiet hours or digest)"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Skipped"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Pending: when the re-drive enqueues it again if its task never ran. Held: when the
    # quiet hours or the digest hour end. Failed: when it is retried (null: never again).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    # What the provider reported later (delivered, bounced, complained, ...), from webhooks.
    provider_status = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)
    in_digest = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notifications_one_delivery_per_channel"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "held", "failed"]),
                name="notifications_delivery_due",
            ),
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="notifications_delivery_msgid",
            ),
            models.Index(fields=["channel", "state"], name="notifications_delivery_state"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} for notification #{self.notification_id} ({self.state})"


class NotificationPreference(models.Model):
    """A person's choice for one category and channel, where it differs from the default
    (a missing row means the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category", "channel"], name="notifications_one_preference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.channel}: {'on' if self.enabled else 'off'}"


class NotificationSettings(models.Model):
    """Quiet hours (local times in the person's zone; both null: none), the daily email
    digest, and the language notifications are written in ("" = the site's)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    email_digest = models.BooleanField(default=False)
    digest_hour = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    language = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_hour__gte=0, digest_hour__lte=23),
                name="notifications_digest_hour_range",
            ),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="notifications_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"notification settings of user #{self.user_id}"


class ContactPoint(models.Model):
    """The mobile number text messages go to, and the person's consent to receive them
    (given and withdrawn times kept as evidence)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_point"
    )
    phone_number = EncryptedTextField(blank=True)
    sms_opt_in = models.BooleanField(default=False)
    sms_consent_at = models.DateTimeField(null=True, blank=True)
    sms_withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"contact point of user #{self.user_id}"

    @property
    def can_text(self) -> bool:
        return self.sms_opt_in and bool(self.phone_number)


class SuppressedAddress(models.Model):
    """An email address that hard-bounced or complained: later emails to it are skipped.
    Kept as a keyed digest (accounts.encryption.lookup_digests), not the address."""

    address_digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "suppressed addresses"

    def __str__(self) -> str:
        return f"suppressed address ({self.reason})"


class EmailEvent(models.Model):
    """One tracking event from the email provider's webhook, stored once on its id so a
    replayed event changes nothing."""

    esp = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=32)
    message_id = models.CharField(max_length=255, blank=True)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="email_events"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["esp", "event_id"], name="notifications_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.esp} {self.event_type} {self.event_id}"
