from django.conf import settings
from django.db import models
from django.db.models import F, Q

from money import format_amount


class WebhookEvent(models.Model):
    """A verified Stripe event as delivered, stored before it is processed (dj-stripe's
    pattern): unique on Stripe's id so a redelivery is recognised, processed once after
    commit, with any failure kept on the row for staff to re-process."""

    class Endpoint(models.TextChoices):
        PLATFORM = "platform", "Platform"
        CONNECT = "connect", "Connect"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (type not handled)"
        FAILED = "failed", "Failed"

    stripe_id = models.CharField(max_length=255, unique=True)
    endpoint = models.CharField(max_length=16, choices=Endpoint.choices)
    type = models.CharField(max_length=120, db_index=True)
    account = models.CharField(max_length=255, blank=True)
    livemode = models.BooleanField(default=False)
    api_version = models.CharField(max_length=64, blank=True)
    stripe_created = models.DateTimeField()
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the re-drive (beat) may process a received or failed event again: set at store
    # time (a grace period for the normal path) and after each failure (back-off).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["received", "failed"]),
                name="payments_webhook_redrive_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"


class StripeCustomer(models.Model):
    """The Stripe customer that holds a person's cards and subscriptions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stripe_customer"
    )
    stripe_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stripe_id


class ConnectedAccount(models.Model):
    """A practitioner's Stripe Connect Express account, where their earnings are paid."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="connected_account"
    )
    stripe_id = models.CharField(max_length=255, unique=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.stripe_id


class Payment(models.Model):
    """One card payment through Checkout. Its state is kept as facts reported by Stripe
    (paid, amount refunded, disputed), whatever order they arrive in; `status` is derived
    from them, and the effects (credits granted or reversed) are reconciled from them."""

    class Purpose(models.TextChoices):
        CREDIT_PACK = "credit_pack", "Credit pack"
        BOOKING = "booking", "Session booking"
        COURSE = "course", "Course"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        DISPUTED = "disputed", "Disputed"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    description = models.CharField(max_length=200)
    amount = models.PositiveIntegerField(help_text="Minor units (pence, cents).")
    currency = models.CharField(max_length=3)
    application_fee_amount = models.PositiveIntegerField(default=0)
    destination = models.ForeignKey(
        ConnectedAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the payment buys, as a snapshot (the catalogue may change later).
    credit_count = models.PositiveIntegerField(default=0)
    credit_validity_days = models.PositiveIntegerField(null=True, blank=True)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)

    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    amount_refunded = models.PositiveIntegerField(default=0)
    is_disputed = models.BooleanField(default=False)
    is_expired = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount")), name="payment_refund_le_amount"
            ),
            models.CheckConstraint(
                condition=Q(application_fee_amount__lte=F("amount")),
                name="payment_fee_le_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({format_amount(self.amount, self.currency)})"

    @property
    def net_amount(self) -> int:
        return self.amount - self.application_fee_amount

    @property
    def refundable_amount(self) -> int:
        return self.amount - self.amount_refunded


class Refund(models.Model):
    """A refund staff asked for. Submitted to Stripe after commit with an idempotency key
    from this row; Stripe's refund events settle its status."""

    class Reason(models.TextChoices):
        REQUESTED_BY_CUSTOMER = "requested_by_customer", "Requested by the client"
        DUPLICATE = "duplicate", "Duplicate payment"
        FRAUDULENT = "fraudulent", "Fraudulent"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PENDING = "pending", "Pending at Stripe"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=32, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    stripe_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} of payment {self.payment_id}"


class Dispute(models.Model):
    """A chargeback opened by the client's bank."""

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    stripe_id = models.CharField(max_length=255, unique=True)
    charge_id = models.CharField(max_length=255, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=40)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Dispute {self.stripe_id} ({self.status})"


class Transfer(models.Model):
    """A payout to a practitioner's connected account for a session paid with credits, a
    membership allowance or a sponsor pool (card sessions pay out as destination charges).
    Unique on its source so a booking is paid out once."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CREATED = "created", "Sent to Stripe"
        REVERSED = "reversed", "Reversed"
        FAILED = "failed", "Failed"

    destination = models.ForeignKey(
        ConnectedAccount, on_delete=models.PROTECT, related_name="transfers"
    )
    amount = models.PositiveIntegerField(help_text="Net paid to the practitioner.")
    gross_amount = models.PositiveIntegerField(help_text="What the session was worth.")
    currency = models.CharField(max_length=3)
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    stripe_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="transfer_unique_source"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=Q(gross_amount__gte=F("amount")), name="transfer_net_le_gross"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Transfer {format_amount(self.amount, self.currency)} to {self.destination_id}"
            f" for {self.source_type}"
        )

    @property
    def platform_fee(self) -> int:
        return self.gross_amount - self.amount
