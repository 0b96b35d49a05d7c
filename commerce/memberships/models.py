from django.conf import settings
from django.db import models
from django.db.models import Q


class AccessLevel(models.IntegerChoices):
    """Content access levels, ordered: a higher level opens everything below it."""

    FREE = 10, "Free account"
    MEMBER = 20, "Member"
    PREMIUM = 30, "Premium"


class MembershipPlan(models.Model):
    """A plan people can join (free, member, premium...), edited by staff in the Wagtail
    admin. Paid plans renew monthly or yearly through Stripe Billing."""

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    tagline = models.CharField(max_length=160, blank=True)
    features = models.TextField(blank=True, help_text="One benefit per line.")
    price = models.PositiveIntegerField(default=0, help_text="Minor units per interval.")
    currency = models.CharField(max_length=3, default="gbp")
    interval = models.CharField(max_length=8, choices=Interval.choices, default=Interval.MONTH)
    monthly_credit_allowance = models.PositiveIntegerField(default=0)
    member_discount_percent = models.PositiveSmallIntegerField(
        default=0, help_text="Discount on services' card prices, 0-100."
    )
    access_level = models.PositiveSmallIntegerField(
        choices=AccessLevel.choices, default=AccessLevel.FREE
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "price"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_discount_percent__lte=100), name="plan_discount_le_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0

    def feature_list(self) -> list[str]:
        return [line.strip() for line in self.features.splitlines() if line.strip()]


class Membership(models.Model):
    """A person's paid membership, mirrored from their Stripe subscription. Fields are
    updated only from newer Stripe state (`stripe_state_at`), so events that arrive out of
    order cannot roll it back."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        GRACE = "grace", "Payment failed (grace period)"
        ENDED = "ended", "Ended"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership"
    )
    plan = models.ForeignKey(MembershipPlan, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_status = models.CharField(max_length=32, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    grace_until = models.DateTimeField(null=True, blank=True)
    last_failed_invoice_id = models.CharField(max_length=255, blank=True)
    stripe_state_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} on {self.plan}"

    @property
    def is_current(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.GRACE)


class MembershipCheckout(models.Model):
    """One attempt to join a paid plan through Checkout; its id keys the idempotency of the
    Checkout call and ties the session back to the person and plan."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(MembershipPlan, on_delete=models.PROTECT, related_name="+")
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Checkout {self.pk} for {self.plan_id}"
