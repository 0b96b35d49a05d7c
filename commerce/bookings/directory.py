"""Reads for the practitioner directory and public profile that need bookings and
memberships: who has a free slot on a day, a profile's next free times, member prices.
The API (commerce/bookings/api/directory.py) and the pages (public_views.py) share them.

Every read here costs a fixed number of queries however many practitioners or services
it covers: services come prefetched (practitioners_bookable) and availability is loaded
once for everyone (diaries_for)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from commerce.bookings.models import AvailabilityRule, DateOverride
from commerce.bookings.selectors import bookable_diaries, bookable_slots
from commerce.memberships.selectors import membership_current
from marketplace.practitioners.models import PractitionerProfile, Service
from marketplace.practitioners.selectors import (
    practitioner_search,
    practitioners_bookable,
    practitioners_bookable_unloaded,
)

DAY = timedelta(days=1)
NEXT_AVAILABLE_DAYS = 14
NEXT_AVAILABLE_LIMIT = 6
# A local date seen from any zone lies within a day either side of the same date in
# another; a service lasts at most 8 hours and its buffers 4 hours each side. These
# margins keep a preloaded diary wide enough for every computation that uses it.
_DATE_MARGIN = timedelta(days=3)
_INSTANT_MARGIN = timedelta(days=2)


def _weekly_hours(*, today: date) -> QuerySet[AvailabilityRule]:
    """Weekly rules still in force on or after `today` (a rule starting later counts)."""
    return AvailabilityRule.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def _open_dates(*, today: date) -> QuerySet[DateOverride]:
    """Date overrides on or after `today` that open times (not ones that close a day)."""
    return DateOverride.objects.filter(date__gte=today, start_time__isnull=False)


def listing_condition(*, today: date | None = None) -> Q:
    """The go-live rule, in one place: a bookable practitioner (verified or active, no
    lapsed licence) is listed only when they offer at least one active service AND have
    availability: a weekly rule in force on or after `today`, or an open date override
    on or after `today`. Every listing (directory page and API, search, modality pages
    and blocks, sitemap, public profile) filters by it, so the directory never shows
    someone who cannot be booked."""
    today = today or timezone.localdate()
    has_service = Exists(Service.objects.filter(practitioner=OuterRef("pk"), is_active=True))
    has_weekly_hours = Exists(_weekly_hours(today=today).filter(practitioner=OuterRef("pk")))
    has_open_dates = Exists(_open_dates(today=today).filter(practitioner=OuterRef("pk")))
    return Q(has_service) & (Q(has_weekly_hours) | Q(has_open_dates))


def practitioners_listed(*, today: date | None = None) -> QuerySet[PractitionerProfile]:
    """Practitioners clients may find: bookable (practitioners_bookable, `active_services`
    prefetched) and meeting listing_condition."""
    return practitioners_bookable().filter(listing_condition(today=today))


def practitioner_is_listed(*, practitioner: PractitionerProfile, today: date | None = None) -> bool:
    return (
        practitioners_bookable_unloaded()
        .filter(listing_condition(today=today), pk=practitioner.pk)
        .exists()
    )


def practitioner_directory(
    *,
    text: str = "",
    modality_slug: str = "",
    is_online: bool | None = None,
    max_price: int | None = None,
    available_on: date | None = None,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> QuerySet[PractitionerProfile]:
    """Listed practitioners matching the filters (see practitioner_search), and, with
    `available_on`, only those with a bookable slot starting that day: in `zone` when
    given, otherwise in each practitioner's own zone."""
    practitioners = practitioner_search(
        practitioners=practitioners_listed(),
        text=text,
        modality_slug=modality_slug,
        is_online=is_online,
        max_price=max_price,
    )
    if available_on is not None:
        practitioner_ids = practitioner_ids_available_on(
            practitioners=practitioners, day=available_on, zone=zone, now=now
        )
        practitioners = practitioners.filter(pk__in=practitioner_ids)
    return practitioners


def practitioner_ids_available_on(
    *,
    practitioners: QuerySet[PractitionerProfile],
    day: date,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> set[int]:
    """Ids of the practitioners with at least one slot of an active service starting on
    `day`. Seven queries whatever the number of practitioners; the slot maths runs in
    Python for those with a weekly rule or an open override near that day."""
    now = timezone.now() if now is None else now
    weekdays = {(day + offset * DAY).weekday() for offset in (-1, 0, 1)}
    near = (day - DAY, day + DAY)
    candidates = list(
        practitioners.filter(
            Exists(
                AvailabilityRule.objects.filter(practitioner=OuterRef("pk"), weekday__in=weekdays)
            )
            | Exists(
                DateOverride.objects.filter(
                    practitioner=OuterRef("pk"), date__range=near, start_time__isnull=False
                )
            )
        )
    )
    if not candidates:
        return set()
    diaries = bookable_diaries(
        practitioner_ids=[practitioner.pk for practitioner in candidates],
        first_day=day - _DATE_MARGIN,
        last_day=day + _DATE_MARGIN,
        since=datetime.combine(day, time(), tzinfo=UTC) - _INSTANT_MARGIN,
        until=datetime.combine(day + DAY, time(), tzinfo=UTC) + _INSTANT_MARGIN,
        now=now,
    )
    available: set[int] = set()
    for practitioner in candidates:
        day_zone = zone or practitioner.zone
        start = datetime.combine(day, time(), tzinfo=day_zone)
        end = datetime.combine(day + DAY, time(), tzinfo=day_zone)
        for service in _active_services(practitioner):
            if bookable_slots(
                service=service, start=start, end=end, now=now, diary=diaries[practitioner.pk]
            ):
                available.add(practitioner.pk)
                break
    return available


def practitioner_public(*, slug: str) -> PractitionerProfile | None:
    """A listed practitioner with `active_services` loaded (two queries), or None."""
    return practitioners_listed().filter(slug=slug).first()


@dataclass(frozen=True, slots=True)
class OpenTime:
    """A start time (UTC) and the services that can be booked then."""

    starts_at: datetime
    services: tuple[Service, ...]


def practitioner_next_available(
    *,
    practitioner: PractitionerProfile,
    now: datetime | None = None,
    days: int = NEXT_AVAILABLE_DAYS,
    limit: int = NEXT_AVAILABLE_LIMIT,
) -> list[OpenTime]:
    """The first `limit` start times in the next `days` days at which any active service
    can be booked, each with the services free then. Five queries however many
    services there are (`active_services` must be loaded, as practitioner_public does)."""
    now = timezone.now() if now is None else now
    services = _active_services(practitioner)
    if not services:
        return []
    end = now + timedelta(days=days)
    diary = bookable_diaries(
        practitioner_ids=[practitioner.pk],
        first_day=now.astimezone(UTC).date() - _DATE_MARGIN,
        last_day=end.astimezone(UTC).date() + _DATE_MARGIN,
        since=now - _INSTANT_MARGIN,
        until=end + _INSTANT_MARGIN,
        now=now,
    )[practitioner.pk]
    by_start: dict[datetime, list[Service]] = {}
    for service in services:
        for slot in bookable_slots(service=service, start=now, end=end, now=now, diary=diary):
            by_start.setdefault(slot.starts_at, []).append(service)
    return [
        OpenTime(starts_at=starts_at, services=tuple(by_start[starts_at]))
        for starts_at in sorted(by_start)[:limit]
    ]


def member_price(*, service: Service, discount_percent: int) -> int | None:
    """What a member pays by card: the service's own member price when it has one,
    otherwise the card price less the plan's discount (rounded to the nearest minor
    unit, halves up). None when the service is not paid by card."""
    if not service.accepts_card or service.price is None:
        return None
    if service.member_price is not None:
        return min(service.member_price, service.price)
    return (service.price * (100 - discount_percent) + 50) // 100


def member_prices_for(*, user: User, services: Iterable[Service]) -> dict[int, int]:
    """Member prices by service id for a current member (only where lower than the card
    price); empty for everyone else. One query for a signed-in person, none otherwise."""
    membership = membership_current(user=user)
    if membership is None:
        return {}
    percent = membership.plan.member_discount_percent
    prices = {}
    for service in services:
        price = member_price(service=service, discount_percent=percent)
        if price is not None and price < service.price:
            prices[service.pk] = price
    return prices


# The zone a browser reports (Intl.DateTimeFormat), set by bookings/viewer-zone.js.
BROWSER_ZONE_COOKIE = "aeyia_tz"
# accounts.User.time_zone starts as "UTC" for everyone and no sign-up step asks: that
# value means "not chosen" here (docs/decisions/0020).
_UNCHOSEN_ZONE = "UTC"


def _zone_named(name: str | None) -> ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def person_zone(user: User) -> ZoneInfo | None:
    """A signed-in person's own chosen time zone, or None when they have not chosen one."""
    if not user.is_authenticated or user.time_zone == _UNCHOSEN_ZONE:
        return None
    return _zone_named(user.time_zone)


def viewer_zone(*, user: User, fallback: tzinfo, browser_zone: str | None = None) -> tzinfo:
    """The zone to show a viewer times in: their own chosen zone, else the zone their
    browser reports (`browser_zone`, from the BROWSER_ZONE_COOKIE), else `fallback`
    (the practitioner's), which pages name next to the times."""
    return person_zone(user) or _zone_named(browser_zone) or fallback


def _active_services(practitioner: PractitionerProfile) -> Sequence[Service]:
    services = getattr(practitioner, "active_services", None)
    if services is None:
        raise ValueError("Load the practitioner with practitioners_bookable().")
    return services


def viewer_zone_for(request, *, fallback: tzinfo) -> tzinfo:
    """viewer_zone for a request: the signed-in person's zone, the browser's (cookie),
    or `fallback`."""
    return viewer_zone(
        user=request.user, fallback=fallback, browser_zone=request.COOKIES.get(BROWSER_ZONE_COOKIE)
    )


def practitioners_next_start(
    *,
    practitioners: Sequence[PractitionerProfile],
    now: datetime | None = None,
    days: int = NEXT_AVAILABLE_DAYS,
) -> dict[int, datetime]:
    """The first bookable start time (UTC) in the next `days` days of each practitioner
    on a directory page, by id (absent when none). One diary read for the whole page
    (bookable_diaries), so the query count does not grow with the page; each practitioner
    must be loaded with `active_services` (practitioners_bookable)."""
    now = timezone.now() if now is None else now
    with_services = [
        practitioner for practitioner in practitioners if _active_services(practitioner)
    ]
    if not with_services:
        return {}
    end = now + timedelta(days=days)
    diaries = bookable_diaries(
        practitioner_ids=[practitioner.pk for practitioner in with_services],
        first_day=now.astimezone(UTC).date() - _DATE_MARGIN,
        last_day=end.astimezone(UTC).date() + _DATE_MARGIN,
        since=now - _INSTANT_MARGIN,
        until=end + _INSTANT_MARGIN,
        now=now,
    )
    next_start: dict[int, datetime] = {}
    for practitioner in with_services:
        for service in _active_services(practitioner):
            slots = bookable_slots(
                service=service, start=now, end=end, now=now, diary=diaries[practitioner.pk]
            )
            if slots:
                first = min(slot.starts_at for slot in slots)
                known = next_start.get(practitioner.pk)
                next_start[practitioner.pk] = first if known is None else min(known, first)
    return next_start


@dataclass(frozen=True, slots=True)
class GoLiveItem:
    """One line of the practice dashboard's go-live checklist. `key` names where to fix
    it (the template links each key to its page); an item that is not `required` does
    not hold back "You are live"."""

    key: str
    label: str
    done: bool
    detail: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class GoLive:
    items: tuple[GoLiveItem, ...]
    is_listed: bool

    @property
    def is_complete(self) -> bool:
        return self.is_listed and all(item.done for item in self.items if item.required)

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)


def practitioner_go_live(*, practitioner: PractitionerProfile, today: date | None = None) -> GoLive:
    """What stands between a practitioner and being listed and paid: verification, a
    profile photo, an active service, availability (listing_condition's rule) and
    connected payouts (required once a service takes card payments). At most six
    queries; `is_listed` is listing_condition's answer, so the two never disagree.

    Consent documents are not an item: the consent documents clients sign are
    platform-wide (staff publish them), so a practitioner has nothing to set up."""
    from commerce.payments.models import ConnectedAccount

    today = today or timezone.localdate()
    services = list(
        Service.objects.filter(practitioner=practitioner, is_active=True).values_list(
            "accepts_card", flat=True
        )
    )
    is_bookable = practitioners_bookable_unloaded(today=today).filter(pk=practitioner.pk).exists()
    has_availability = (
        _weekly_hours(today=today).filter(practitioner=practitioner).exists()
        or _open_dates(today=today).filter(practitioner=practitioner).exists()
    )
    account = ConnectedAccount.objects.filter(owner_id=practitioner.user_id).first()
    payouts_ready = bool(account and account.charges_enabled and account.payouts_enabled)
    takes_card = any(services)
    Status = PractitionerProfile.Status
    if is_bookable:
        verified_detail = "Aeyia has checked your identity and credentials."
    elif practitioner.status in PractitionerProfile.BOOKABLE_STATUSES:
        verified_detail = "Your licence has expired: add the renewed one."
    elif practitioner.status == Status.SUBMITTED:
        verified_detail = "We are reviewing your profile and will email you our decision."
    elif practitioner.status == Status.SUSPENDED:
        verified_detail = "Your profile is suspended; see the reason on your profile page."
    else:
        verified_detail = "Finish your profile, credentials and identity check, then submit."
    items = (
        GoLiveItem("verified", "Verified by Aeyia", is_bookable, verified_detail),
        GoLiveItem(
            "photo",
            "Profile photo",
            bool(practitioner.photo),
            "A clear photo of you on your public profile.",
        ),
        GoLiveItem(
            "service",
            "At least one service",
            bool(services),
            "What clients book: its length, price and where it takes place.",
        ),
        GoLiveItem(
            "availability",
            "Availability",
            has_availability,
            "Weekly hours, or dates you are open, so clients can pick a time.",
        ),
        GoLiveItem(
            "payouts",
            "Payouts connected",
            payouts_ready,
            "Needed before clients can pay you by card."
            if takes_card or not services
            else "Only needed if you take card payments.",
            required=takes_card or not services,
        ),
    )
    return GoLive(
        items=items, is_listed=practitioner_is_listed(practitioner=practitioner, today=today)
    )
