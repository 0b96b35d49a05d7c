"""Reads of the credits ledger that pages, the API, bookings and the staff portal share."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from commerce.credits.models import CreditAccount, CreditEntry, CreditLot


@dataclass(frozen=True)
class NextExpiry:
    amount: int
    expires_at: datetime


def credits_wallet_for(*, user) -> CreditAccount | None:
    """The user's wallet, or None before their first grant."""
    if user is None or user.pk is None:
        return None
    return CreditAccount.objects.filter(owner=user, kind=CreditAccount.Kind.CLIENT_WALLET).first()


def credits_balance(*, user) -> int:
    """Credits in the wallet, including any whose lot is past its date but not yet
    expired by the expiry task (see credits_available for what can be spent)."""
    wallet = credits_wallet_for(user=user)
    return wallet.balance if wallet is not None else 0


def _live_lots(*, user, now: datetime | None) -> QuerySet[CreditLot]:
    now = timezone.now() if now is None else now
    return CreditLot.objects.filter(
        wallet__owner=user,
        wallet__kind=CreditAccount.Kind.CLIENT_WALLET,
        remaining__gt=0,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def credits_available(
    *, user, now: datetime | None = None, grant_kinds: Iterable[str] | None = None
) -> int:
    """Credits the user can spend now: what remains in lots that have not expired
    (only lots granted by `grant_kinds`, e.g. the membership allowance, when given)."""
    if user is None or user.pk is None:
        return 0
    lots = _live_lots(user=user, now=now)
    if grant_kinds is not None:
        lots = lots.filter(grant_transaction__kind__in=list(grant_kinds))
    total = lots.aggregate(total=Sum("remaining"))["total"]
    return total or 0


def credits_next_expiry(*, user, now: datetime | None = None) -> NextExpiry | None:
    """The next date some of the user's credits expire, and how many expire then."""
    if user is None or user.pk is None:
        return None
    lots = _live_lots(user=user, now=now).filter(expires_at__isnull=False)
    first = lots.order_by("expires_at").values_list("expires_at", flat=True).first()
    if first is None:
        return None
    amount = lots.filter(expires_at=first).aggregate(total=Sum("remaining"))["total"]
    return NextExpiry(amount=amount or 0, expires_at=first)


def credits_statement(*, user) -> QuerySet[CreditEntry]:
    """Every entry on the user's wallet, newest first, with its transaction and lot."""
    return (
        CreditEntry.objects.filter(
            account__owner=user, account__kind=CreditAccount.Kind.CLIENT_WALLET
        )
        .select_related("transaction", "lot")
        .order_by("-pk")
    )


def credits_lots(*, user) -> QuerySet[CreditLot]:
    """The user's lots, soonest expiry first, lots that never expire last (staff view)."""
    return CreditLot.objects.filter(
        wallet__owner=user, wallet__kind=CreditAccount.Kind.CLIENT_WALLET
    ).order_by(F("expires_at").asc(nulls_last=True), "pk")
