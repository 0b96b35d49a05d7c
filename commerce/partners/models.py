"""Society partners: organisations that fund a pool of sessions or credits for the people
they choose.

A `Partner` funds `SponsorPool`s. People become eligible for a pool through a
`PoolInvite` (an email address the partner named) or a `VoucherCode`; taking one up
records a `PoolEnrollment`. Each use is a `PoolDraw`, unique on its source (the booking),
so a retried booking draws once; a cancelled booking's draw is reversed, never deleted.

`SponsorPool.units_used` and `VoucherCode.redemptions` are running totals the services
keep in the same transaction as the rows they count; check constraints keep them within
bounds even if a caller forgets to lock (DESIGN.md §3).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Lower, Replace, Upper
from django.utils import timezone

# Voucher codes are letters, digits and single hyphens between groups ("SOCIETY-2026").
# Matching ignores case, spaces and hyphens, so "society 2026" finds "SOCIETY-2026";
# uniqueness is enforced on the same key so two codes can never match one input.
VOUCHER_CODE_PATTERN = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
VOUCHER_CODE_MIN_LENGTH = 4
VOUCHER_CODE_MAX_LENGTH = 40


def voucher_code_key_expression():
    """The database expression of a code's matching key (upper case, no hyphens)."""
    return Replace(Upper("code"), Value("-"), Value(""))


def voucher_code_key(raw: str) -> str:
    """The matching key of a typed code: upper case, without spaces or hyphens."""
    return re.sub(r"[\s\-]+", "", raw or "").upper()


class Partner(models.Model):
    """An organisation (a society, an employer, a charity) that funds sessions."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in report addresses.")
    is_active = models.BooleanField(
        default=True, help_text="Inactive partners' pools cannot be joined or drawn from."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerAdmin(models.Model):
    """A person who administers a partner: they see its usage reports (not its clients'
    health data, see selectors.partner_usage_report)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="admins")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_admin_roles"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "partner administrator"
        constraints = [
            models.UniqueConstraint(fields=["partner", "user"], name="partners_admin_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} administers {self.partner}"


class SponsorPool(models.Model):
    """A partner-funded allowance of sessions or credits, shared by the pool's clients
    up to a per-client cap."""

    class Unit(models.TextChoices):
        SESSION = "session", "Sessions"
        CREDIT = "credit", "Credits"

    class Eligibility(models.TextChoices):
        INVITE_ONLY = "invite_only", "Invited emails only"
        VOUCHER = "voucher", "Voucher codes only"
        INVITE_OR_VOUCHER = "invite_or_voucher", "Invited emails or voucher codes"

    # Pools with draws are financial records: a partner is deactivated, not deleted.
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="pools")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=16, choices=Unit.choices, default=Unit.SESSION)
    units_funded = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    units_used = models.PositiveIntegerField(
        default=0, editable=False, help_text="Sum of the pool's live draws, kept by the services."
    )
    per_client_cap = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Most units one client may use."
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    eligibility = models.CharField(
        max_length=20, choices=Eligibility.choices, default=Eligibility.INVITE_OR_VOUCHER
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # One client's view of the pool, set by selectors.pools_for_client (not columns).
    client_used: int
    client_remaining: int
    is_open_now: bool

    class Meta:
        verbose_name = "sponsor pool"
        ordering = ["partner__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(units_funded__gt=0), name="partners_pool_funded_positive"
            ),
            models.CheckConstraint(
                condition=Q(units_used__gte=0) & Q(units_used__lte=F("units_funded")),
                name="partners_pool_used_within_funded",
                violation_error_message="A pool cannot use more units than it was funded.",
            ),
            models.CheckConstraint(
                condition=Q(per_client_cap__gt=0), name="partners_pool_cap_positive"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="partners_pool_ends_after_start",
                violation_error_message="A pool must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["session", "credit"]), name="partners_pool_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(eligibility__in=["invite_only", "voucher", "invite_or_voucher"]),
                name="partners_pool_eligibility_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.units_funded is not None and self.units_funded < self.units_used:
            raise ValidationError(
                {"units_funded": f"{self.units_used} units are already used; fund at least that."}
            )
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The pool must end after it starts."})

    @property
    def units_remaining(self) -> int:
        return self.units_funded - self.units_used

    @property
    def accepts_invites(self) -> bool:
        return self.eligibility in (
            self.Eligibility.INVITE_ONLY,
            self.Eligibility.INVITE_OR_VOUCHER,
        )

    @property
    def accepts_vouchers(self) -> bool:
        return self.eligibility in (self.Eligibility.VOUCHER, self.Eligibility.INVITE_OR_VOUCHER)

    def is_open(self, *, at=None) -> bool:
        """Whether the pool can be drawn from now (active, partner active, in its window)."""
        moment = at or timezone.now()
        return (
            self.is_active
            and self.partner.is_active
            and (self.starts_at is None or self.starts_at <= moment)
            and (self.ends_at is None or moment < self.ends_at)
        )

    def has_ended(self, *, at=None) -> bool:
        return self.ends_at is not None and (at or timezone.now()) >= self.ends_at


class PoolInvite(models.Model):
    """An email address the partner named as eligible. The person with that verified
    address accepts it to enrol (see services.pool_enroll_by_invite)."""

    pool = models.ForeignKey(SponsorPool, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    invited_at = models.DateTimeField(default=timezone.now, editable=False)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "pool invitation"
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(
                "pool",
                Lower("email"),
                name="partners_invite_email_ci_unique",
                violation_error_message="This email address is already invited to this pool.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.pool}"

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").strip().lower()


class VoucherCode(models.Model):
    """A code that enrols whoever redeems it in the pool, up to `max_redemptions`
    people (no limit when empty)."""

    pool = models.ForeignKey(SponsorPool, on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(
        max_length=VOUCHER_CODE_MAX_LENGTH,
        validators=[
            RegexValidator(
                re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$"),
                "Use letters, digits and single hyphens between groups.",
            )
        ],
        help_text="Letters, digits and hyphens; case, spaces and hyphens are ignored when "
        "people type it.",
    )
    max_redemptions = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How many people may redeem it; leave empty for no limit.",
    )
    redemptions = models.PositiveIntegerField(
        default=0, editable=False, help_text="People who redeemed it, kept by the services."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "voucher code"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                voucher_code_key_expression(),
                name="partners_voucher_code_key_unique",
                violation_error_message="A voucher with this code already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(code="") & Q(code=Upper("code")),
                name="partners_voucher_code_upper",
            ),
            models.CheckConstraint(
                condition=Q(max_redemptions__isnull=True) | Q(max_redemptions__gt=0),
                name="partners_voucher_max_positive",
            ),
            models.CheckConstraint(
                condition=Q(redemptions__gte=0)
                & (Q(max_redemptions__isnull=True) | Q(redemptions__lte=F("max_redemptions"))),
                name="partners_voucher_redemptions_within_max",
                violation_error_message="A voucher cannot be redeemed more times than allowed.",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        super().clean()
        self.code = (self.code or "").strip().upper()
        key = voucher_code_key(self.code)
        if self.code and not VOUCHER_CODE_MIN_LENGTH <= len(key) <= VOUCHER_CODE_MAX_LENGTH:
            raise ValidationError(
                {"code": f"Use at least {VOUCHER_CODE_MIN_LENGTH} letters or digits."}
            )
        if self.max_redemptions is not None and self.max_redemptions < self.redemptions:
            raise ValidationError(
                {
                    "max_redemptions": f"Already redeemed {self.redemptions} times; allow at "
                    "least that many."
                }
            )

    @property
    def redemptions_left(self) -> int | None:
        if self.max_redemptions is None:
            return None
        return self.max_redemptions - self.redemptions


class PoolEnrollment(models.Model):
    """A person eligible to draw from a pool, and how they became so."""

    class Via(models.TextChoices):
        INVITE = "invite", "Invitation"
        VOUCHER = "voucher", "Voucher code"

    pool = models.ForeignKey(SponsorPool, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pool_enrollments"
    )
    via = models.CharField(max_length=16, choices=Via.choices)
    invite = models.ForeignKey(
        PoolInvite, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voucher = models.ForeignKey(
        VoucherCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Not stored: `voucher_redeem` sets it on the enrolment it returns, to say whether that
    # call enrolled the person ("you've joined") or found them enrolled ("already joined").
    is_new: bool = True

    class Meta:
        verbose_name = "pool enrolment"
        constraints = [
            models.UniqueConstraint(fields=["pool", "user"], name="partners_enrollment_unique"),
            models.CheckConstraint(
                condition=Q(via__in=["invite", "voucher"]), name="partners_enrollment_via_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.pool}"


class PoolDraw(models.Model):
    """Units one booking (or other source) took from a pool. Unique on the source, so a
    retried booking draws once. Reversal returns the units and keeps the row."""

    # PROTECT: draws are the partner's usage record (and what it is invoiced on).
    pool = models.ForeignKey(SponsorPool, on_delete=models.PROTECT, related_name="draws")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pool_draws"
    )
    units = models.PositiveIntegerField()
    source_type = models.CharField(max_length=64, help_text="What drew, e.g. 'booking'.")
    source_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversal_source_type = models.CharField(max_length=64, blank=True)
    reversal_source_id = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "pool draw"
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="partners_draw_source_unique"
            ),
            models.CheckConstraint(condition=Q(units__gt=0), name="partners_draw_units_positive"),
            models.CheckConstraint(
                condition=~Q(source_type="") & ~Q(source_id=""),
                name="partners_draw_source_not_blank",
            ),
        ]
        indexes = [
            models.Index(fields=["pool", "user"], name="partners_draw_pool_user_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.units} {self.pool.unit} from {self.pool} ({self.source_type}:{self.source_id})"
        )

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None
