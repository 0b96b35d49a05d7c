"""Reads the library's pages, views and API share: filtering, search, pagination, and
what a viewer sees of each item (open or locked, and the way in)."""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.urls import reverse
from wagtail.query import PageQuerySet

from cms.library.entitlements import (
    TIER_ACCOUNT,
    TIER_ANONYMOUS,
    TIER_MEMBER,
    AccessLevel,
    accessible_page_ids,
    viewer_tier,
)
from cms.library.models import ItemFormat, ItemLevel, LibraryIndexPage, LibraryItemPage, Topic
from commerce.credits.selectors import credits_available
from commerce.credits.wording import credit_count
from marketplace.practitioners.models import Modality

MAX_QUERY_LENGTH = 200
# Page ids are 32-bit (Wagtail's AutoField). A larger number from a URL names no page, and
# as a query parameter it overflows the database driver (a 500) instead of matching nothing.
MAX_PAGE_ID = 2**31 - 1


@dataclass(frozen=True)
class LibraryFilters:
    """Cleaned browse filters: unknown values are dropped (and reported), never an error
    page."""

    topic: str = ""
    format: str = ""
    modality: str = ""
    level: str = ""
    q: str = ""
    invalid: tuple[str, ...] = field(default_factory=tuple)

    def querystring(self, **changes) -> str:
        values = {
            "topic": self.topic,
            "format": self.format,
            "modality": self.modality,
            "level": self.level,
            "q": self.q,
            **changes,
        }
        return urlencode({key: value for key, value in values.items() if value})

    @property
    def is_active(self) -> bool:
        return any((self.topic, self.format, self.modality, self.level, self.q))


def library_filters_from(params) -> LibraryFilters:
    """Reads topic, format, modality and level (slugs or values) and q from query
    parameters. Values that name nothing are listed in `invalid`."""
    invalid = []

    def pick(name: str, allowed) -> str:
        value = params.get(name, "")
        value = value.strip() if isinstance(value, str) else ""
        if value and value not in allowed:
            invalid.append(name)
            return ""
        return value

    def pick_slug(name: str, model) -> str:
        value = params.get(name, "")
        value = value.strip() if isinstance(value, str) else ""
        # A NUL would reach PostgreSQL, which refuses it in text (a 500, not "unknown").
        if value and ("\x00" in value or not model.objects.filter(slug=value).exists()):
            invalid.append(name)
            return ""
        return value

    topic = pick_slug("topic", Topic)
    modality = pick_slug("modality", Modality)
    query = params.get("q", "")
    query = " ".join(query.split())[:MAX_QUERY_LENGTH] if isinstance(query, str) else ""
    return LibraryFilters(
        topic=topic,
        format=pick("format", ItemFormat.values),
        modality=modality,
        level=pick("level", ItemLevel.values),
        q=query,
        invalid=tuple(invalid),
    )


def library_items(*, index_page: LibraryIndexPage | None = None) -> PageQuerySet:
    """Live items (of one index when given), newest first."""
    items = LibraryItemPage.objects.live().public()
    if index_page is not None:
        items = items.child_of(index_page)
    return items.order_by("-first_published_at", "-pk")


def library_search(*, filters: LibraryFilters, index_page: LibraryIndexPage | None = None):
    """Items matching the filters, as a sliceable sequence of items. With `q`, Wagtail
    search ranks them; the index holds only title, teaser and topics."""
    items = library_items(index_page=index_page)
    if filters.format:
        items = items.filter(format=filters.format)
    if filters.level:
        items = items.filter(level=filters.level)
    if filters.modality:
        # Wagtail search filters on declared FilterFields only (`modality`, by id), not
        # through a relation (`modality__slug` raised FilterFieldError with `q`).
        modality = Modality.objects.filter(slug=filters.modality).first()
        items = items.filter(modality=modality.pk) if modality else items.none()
    if filters.topic:
        # Many-to-many lookups are not search filter fields; narrowing by id is.
        items = items.filter(
            id__in=list(
                LibraryItemPage.objects.filter(topics__slug=filters.topic).values_list(
                    "id", flat=True
                )
            )
        )
    words = search_words(filters.q)
    if words:
        return items.search(" ".join(words), operator="and")
    if filters.q:
        return items.none()  # only punctuation: nothing can match
    return items


def search_words(text: str) -> list[str]:
    """The words of a query, lower-cased: the database backends' full-text syntax (quotes,
    brackets, AND/OR/NOT, *) never reaches them, so no text can break a search."""
    return re.findall(r"\w+", text.lower())[:20]


def with_related(items) -> list[LibraryItemPage]:
    """The given items again, with topics, modality and author loaded in a fixed number of
    queries and in the same order."""
    ids = [item.pk for item in items]
    loaded = (
        LibraryItemPage.objects.filter(pk__in=ids)
        .select_related("modality", "author__user")
        .prefetch_related("topics")
    )
    by_id = {item.pk: item for item in loaded}
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass(frozen=True)
class WayIn:
    """How a viewer can open a locked item."""

    action: str  # sign_up, join, upgrade, buy_with_credits, buy_credits
    label: str
    url: str
    method: str = "GET"
    credit_price: int | None = None
    balance: int | None = None
    login_url: str | None = None

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "label": self.label,
            "url": self.url,
            "method": self.method,
            "credit_price": self.credit_price,
            "balance": self.balance,
            "login_url": self.login_url,
        }


class Viewer:
    """One viewer's view of many items, with constant queries: the tier and the credit
    balance are read once, purchases once per batch."""

    def __init__(self, user):
        self.user = user
        self._balance: int | None = None
        self._tier: int | None = None

    @property
    def tier(self) -> int:
        if self._tier is None:
            self._tier = viewer_tier(self.user)
        return self._tier

    @property
    def balance(self) -> int:
        if self._balance is None:
            self._balance = credits_available(user=self.user) if self.user.is_authenticated else 0
        return self._balance

    def open_ids(self, items) -> set[int]:
        return accessible_page_ids(user=self.user, pages=items)

    def way_in(self, item: LibraryItemPage, *, next_url: str | None = None) -> WayIn:
        next_url = next_url or item.url or "/"
        signup = reverse("account_signup") + "?" + urlencode({"next": next_url})
        login = reverse("account_login") + "?" + urlencode({"next": next_url})
        tier = self.tier
        if tier == TIER_ANONYMOUS:
            if item.access_level == AccessLevel.CREDITS:
                label = (
                    f"Create a free account to buy it for {credit_count(item.credit_price or 0)}"
                )
            elif item.access_level == AccessLevel.ACCOUNT:
                label = "Create a free account to open it"
            else:
                label = "Create a free account, then join to open it"
            return WayIn("sign_up", label, signup, login_url=login, credit_price=item.credit_price)
        if item.access_level == AccessLevel.CREDITS:
            price = item.credit_price or 0
            if self.balance >= price:
                return WayIn(
                    "buy_with_credits",
                    f"Buy for {credit_count(price)}",
                    item.url + "buy/" if item.url else "",
                    method="POST",
                    credit_price=price,
                    balance=self.balance,
                )
            return WayIn(
                "buy_credits",
                "Buy credits",
                reverse("credit-packs"),
                credit_price=price,
                balance=self.balance,
            )
        plans = reverse("membership-plans")
        if item.access_level == AccessLevel.PREMIUM and tier >= TIER_MEMBER:
            return WayIn("upgrade", "Upgrade to Premium to open it", plans)
        if tier >= TIER_ACCOUNT and item.access_level == AccessLevel.PREMIUM:
            return WayIn("join", "Join Premium to open it", plans)
        return WayIn("join", "Become a member to open it", plans)


def paginate(results, *, page_number, per_page: int):
    paginator = Paginator(results, per_page)
    try:
        return paginator.page(page_number or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def library_browse(*, index_page: LibraryIndexPage, request) -> dict:
    """The index page's context: filters and their options, one page of results with
    lock state, in a number of queries that does not depend on how many items exist."""
    filters = library_filters_from(request.GET)
    results = library_search(filters=filters, index_page=index_page)
    page = paginate(
        results, page_number=request.GET.get("page"), per_page=index_page.items_per_page
    )
    items = with_related(list(page.object_list))
    viewer = Viewer(request.user)
    open_ids = viewer.open_ids(items)
    entries = [{"item": item, "is_open": item.pk in open_ids} for item in items]
    return {
        "filters": filters,
        "results_page": page,
        "entries": entries,
        "topics": list(Topic.objects.all()),
        "modalities": list(
            Modality.objects.filter(
                pk__in=library_items(index_page=index_page).values("modality_id")
            )
        ),
        "formats": ItemFormat.choices,
        "levels": ItemLevel.choices,
    }
