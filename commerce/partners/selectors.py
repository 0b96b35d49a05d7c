"""Reads about society partners: what a client may draw on, who may see a partner's
report, and the report itself.

What a partner's administrators see (a privacy decision, see README.md here): for each
pool, its funding and use, and per enrolled client their email address, how they joined
and how many units they used. Never what a session was, with whom, when exactly, or
anything from the client's profile, intake or files: the draw's source is not shown.
A client's email appears only because they chose to join that partner's pool (accepting
an invitation or redeeming a code), and the join page tells them so.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower, TruncMonth
from django.utils import timezone

from accounts.models import User
from commerce.partners.models import (
    Partner,
    PoolDraw,
    PoolEnrollment,
    PoolInvite,
    SponsorPool,
)


def open_pools_q(*, at: datetime | None = None, prefix: str = "") -> Q:
    """Pools that can be drawn from at `at`: active, partner active, within the window."""
    moment = at or timezone.now()
    return (
        Q(**{f"{prefix}is_active": True, f"{prefix}partner__is_active": True})
        & (Q(**{f"{prefix}starts_at__isnull": True}) | Q(**{f"{prefix}starts_at__lte": moment}))
        & (Q(**{f"{prefix}ends_at__isnull": True}) | Q(**{f"{prefix}ends_at__gt": moment}))
    )


def _client_used_subquery(user: User) -> Subquery:
    draws = (
        PoolDraw.objects.filter(pool=OuterRef("pk"), user=user, reversed_at__isnull=True)
        .order_by()
        .values("pool")
        .annotate(total=Sum("units"))
        .values("total")
    )
    return Subquery(draws, output_field=IntegerField())


def pools_for_client(*, user: User) -> list[SponsorPool]:
    """Every pool the user is enrolled in, each annotated with `client_used` (their live
    draws), `client_remaining` (what they may still draw: their cap left, bounded by what
    the pool has left) and `is_open_now`. One query."""
    if not user.is_authenticated:
        return []
    pools: list[SponsorPool] = list(
        SponsorPool.objects.filter(enrollments__user=user)
        .select_related("partner")
        .annotate(used_by_client=Coalesce(_client_used_subquery(user), Value(0)))
        .order_by("partner__name", "name", "pk")
    )
    now = timezone.now()
    for pool in pools:
        pool.client_used = pool.used_by_client  # type: ignore[attr-defined]
        pool.client_remaining = max(
            0, min(pool.per_client_cap - pool.client_used, pool.units_remaining)
        )
        pool.is_open_now = pool.is_open(at=now)
    return pools


def pool_eligible_for(*, user: User, unit: str | None = None) -> list[SponsorPool]:
    """The pools the user can draw from now, for `unit` ("session" or "credit"; any when
    None): enrolled, open, with something left for them. Annotated as in
    `pools_for_client`. The booking engine offers "pay with sponsor" from this list."""
    pools = pools_for_client(user=user)
    return [
        pool
        for pool in pools
        if pool.is_open_now and pool.client_remaining > 0 and (unit is None or pool.unit == unit)
    ]


def pool_invites_pending_for(*, user: User) -> list[PoolInvite]:
    """Invitations to the user's verified addresses they have not yet accepted, in pools
    that can still be joined by invitation."""
    if not user.is_authenticated:
        return []
    emails = {
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    if not emails:
        return []
    return list(
        PoolInvite.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails, accepted_user__isnull=True)
        .filter(pool__is_active=True, pool__partner__is_active=True)
        .exclude(pool__eligibility=SponsorPool.Eligibility.VOUCHER)
        .exclude(pool__ends_at__lte=timezone.now())
        .exclude(pool__enrollments__user=user)
        .select_related("pool__partner")
        .order_by("invited_at", "pk")
    )


def partners_visible_to(*, user: User) -> QuerySet[Partner]:
    """The partners whose reports the user may see: staff see all, a partner's
    administrators see theirs, everyone else none."""
    if not user.is_authenticated or not user.is_active:
        return Partner.objects.none()
    if user.is_staff or user.is_superuser:
        return Partner.objects.all()
    return Partner.objects.filter(admins__user=user).distinct()


def partner_for_report(*, user: User, slug: str) -> Partner | None:
    """The partner with that slug if the user may see its report, else None (callers
    answer 404 either way, so a report's existence is not revealed)."""
    return partners_visible_to(user=user).filter(slug=slug).first()


# ---------- The usage report ----------


@dataclass(frozen=True)
class MonthUsage:
    month: date
    units: int
    draws: int


@dataclass(frozen=True)
class ClientUsage:
    email: str
    via: str
    via_label: str
    enrolled_at: datetime | None
    units: int
    draws: int


@dataclass
class PoolUsage:
    pool: SponsorPool
    funded: int
    used: int
    remaining: int
    invited: int
    enrolled: int
    clients_in_period: int = 0
    units_in_period: int = 0
    draws_in_period: int = 0
    months: list[MonthUsage] = field(default_factory=list)
    clients: list[ClientUsage] = field(default_factory=list)


@dataclass(frozen=True)
class PartnerUsageReport:
    partner: Partner
    start: datetime | None
    end: datetime | None
    pools: list[PoolUsage]

    @property
    def units_in_period(self) -> int:
        return sum(pool.units_in_period for pool in self.pools)


def partner_usage_report(
    *, partner: Partner, start: datetime | None = None, end: datetime | None = None
) -> PartnerUsageReport:
    """Usage of each of the partner's pools, in four queries whatever the number of
    pools, clients or draws (everything is aggregated in the database).

    Per pool: `funded`, `used` and `remaining` are the totals now; `invited` and
    `enrolled` count people; `units_in_period`, `draws_in_period`, `clients_in_period`
    and `months` (units and draws per calendar month, UTC) count live draws made in
    [start, end). Reversed draws (cancelled bookings) count nowhere: their units went
    back to the pool. Per enrolled client: their email (see the module docstring), how
    they joined and their units and draws in the period."""
    invited = (
        PoolInvite.objects.filter(pool=OuterRef("pk"))
        .order_by()
        .values("pool")
        .annotate(n=Count("pk"))
        .values("n")
    )
    enrolled = (
        PoolEnrollment.objects.filter(pool=OuterRef("pk"))
        .order_by()
        .values("pool")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pools = list(
        SponsorPool.objects.filter(partner=partner)
        .annotate(
            invited_count=Coalesce(Subquery(invited, output_field=IntegerField()), Value(0)),
            enrolled_count=Coalesce(Subquery(enrolled, output_field=IntegerField()), Value(0)),
        )
        .order_by("-is_active", "name", "pk")
    )
    draws = PoolDraw.objects.filter(pool__partner=partner, reversed_at__isnull=True)
    if start is not None:
        draws = draws.filter(created_at__gte=start)
    if end is not None:
        draws = draws.filter(created_at__lt=end)

    usage = {
        pool.pk: PoolUsage(
            pool=pool,
            funded=pool.units_funded,
            used=pool.units_used,
            remaining=pool.units_remaining,
            invited=pool.invited_count,
            enrolled=pool.enrolled_count,
        )
        for pool in pools
    }

    monthly = (
        draws.annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("pool_id", "month")
        .annotate(units=Sum("units"), draws=Count("pk"))
        .order_by("pool_id", "month")
    )
    for month_row in monthly:
        month = month_row["month"]
        month_date = month.date() if isinstance(month, datetime) else month
        pool_usage = usage[month_row["pool_id"]]
        pool_usage.months.append(
            MonthUsage(month=month_date, units=month_row["units"], draws=month_row["draws"])
        )
        pool_usage.units_in_period += month_row["units"]
        pool_usage.draws_in_period += month_row["draws"]

    per_client = {
        (row["pool_id"], row["user_id"]): row
        for row in draws.order_by()
        .values("pool_id", "user_id")
        .annotate(units=Sum("units"), draws=Count("pk"))
    }
    via_labels = dict(PoolEnrollment.Via.choices)
    enrollments = (
        PoolEnrollment.objects.filter(pool__partner=partner)
        .order_by("pool_id", "user__email")
        .values("pool_id", "user_id", "user__email", "via", "created_at")
    )
    for enrollment_row in enrollments:
        totals = per_client.pop((enrollment_row["pool_id"], enrollment_row["user_id"]), None)
        units = totals["units"] if totals else 0
        usage[enrollment_row["pool_id"]].clients.append(
            ClientUsage(
                email=enrollment_row["user__email"],
                via=enrollment_row["via"],
                via_label=str(via_labels.get(enrollment_row["via"]) or enrollment_row["via"]),
                enrolled_at=enrollment_row["created_at"],
                units=units,
                draws=totals["draws"] if totals else 0,
            )
        )
        if units:
            usage[enrollment_row["pool_id"]].clients_in_period += 1
    # Draws by someone no longer enrolled still count towards the pool's use; they are
    # shown without an address (the person left, so the partner no longer sees them).
    for (pool_id, _user_id), totals in per_client.items():
        usage[pool_id].clients_in_period += 1
        usage[pool_id].clients.append(
            ClientUsage(
                email="",
                via="",
                via_label="No longer enrolled",
                enrolled_at=None,
                units=totals["units"],
                draws=totals["draws"],
            )
        )
    return PartnerUsageReport(
        partner=partner, start=start, end=end, pools=[usage[pool.pk] for pool in pools]
    )
