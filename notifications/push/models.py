"""Where a person's browsers receive push messages."""

from django.conf import settings
from django.db import models
from django.utils import timezone

# Push services' endpoints are capability URLs of a few hundred characters (FCM about
# 190, Windows' WNS up to ~500); 2048 leaves room and stays inside a b-tree index entry.
ENDPOINT_MAX_LENGTH = 2048


class PushSubscription(models.Model):
    """One browser's subscription, as `PushSubscription.toJSON()` gave it: the push
    service's endpoint and the keys our messages are encrypted to (RFC 8291). The
    endpoint is unique: a browser profile has one subscription for our scope, so when
    another person signs in there and turns push on, the row moves to them.

    The keys are not encrypted at rest: the endpoint only accepts messages signed with our
    VAPID private key (the subscription is bound to its public key), so the row alone
    does not let anyone send to the device."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=ENDPOINT_MAX_LENGTH, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=50)
    user_agent = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Consecutive refusals by the push service; reset by a success.
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["user", "created_at"], name="webpush_user_created")]

    def __str__(self) -> str:
        return f"push subscription #{self.pk} of user #{self.user_id}"

    @property
    def subscription_info(self) -> dict:
        """The shape pywebpush and the browser's toJSON() share."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
