"""Storage of the offline Stripe (`local.StripeLocalGateway`). Stripe keeps its objects
on its side and shows them on hosted pages in later requests; locally they live in these
tables. Nothing here is used by the live adapter."""

from django.db import models
from django.utils import timezone


class LocalStripeObject(models.Model):
    """One Stripe object (`cs_local_000001`, `pi_local_000003`, `evt_local_000010`...).
    `data` is exactly what Stripe would return or put in an event; `internal` holds what
    Stripe keeps but does not show (a checkout's line items and payment_intent_data,
    an account link's return URL)."""

    id = models.CharField(primary_key=True, max_length=64)
    object_type = models.CharField(max_length=64, db_index=True)
    data = models.JSONField()
    internal = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "local Stripe object"

    def __str__(self) -> str:
        return self.id


class LocalIdempotencyKey(models.Model):
    """Stripe replays the first response for a repeated Idempotency-Key and refuses the
    key with different parameters; so does the offline Stripe."""

    key = models.CharField(max_length=255, unique=True)
    method = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    response_id = models.CharField(max_length=64)
    response = models.JSONField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "local Stripe idempotency key"

    def __str__(self) -> str:
        return f"{self.method} {self.key}"


class LocalIdCounter(models.Model):
    """Per-prefix counters for deterministic ids (`cs_local_000001`, `cs_local_000002`)."""

    prefix = models.CharField(primary_key=True, max_length=32)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "local Stripe id counter"

    def __str__(self) -> str:
        return f"{self.prefix}: {self.value}"


class LocalWebhookDelivery(models.Model):
    """Each time the offline Stripe handed an event to the webhook receiver, and how it
    went (Stripe's dashboard shows the same list per endpoint)."""

    event_id = models.CharField(max_length=64, db_index=True)
    event_type = models.CharField(max_length=128)
    endpoint = models.CharField(max_length=16)  # platform | connect
    is_delivered = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "local Stripe webhook delivery"
        verbose_name_plural = "local Stripe webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint}"
