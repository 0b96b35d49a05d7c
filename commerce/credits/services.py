"""Every write to the credits ledger.

Rules every service keeps:
- One movement is one `CreditTransaction` whose entries sum to zero; account balances and
  lot remainders move in the same database transaction as the entries.
- Every write that touches a wallet locks that wallet's row first (SELECT ... FOR UPDATE
  on PostgreSQL; on SQLite the IMMEDIATE write transaction already serializes writers), so
  a wallet's lots and balance are read and changed by one writer at a time. System
  accounts are then changed with atomic increments, in a fixed order, so two writers
  never wait on each other in a cycle.
- Each movement is unique on its source (`source_type`, `source_id`). Repeating a call
  with the same source returns the recorded transaction and changes nothing; using a
  source for a different movement raises `Conflict`.
- Bad input raises `InvalidRequest` (400), too few credits `InsufficientCredits` (402), a
  conflicting state `Conflict` (409); nothing is half-written because every service runs
  in one atomic block.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from commerce.credits.models import CreditAccount, CreditEntry, CreditLot, CreditTransaction
from commerce.credits.wording import credit_count
from commerce.errors import Conflict, InsufficientCredits, InvalidRequest

TransactionKind = CreditTransaction.Kind
AccountKind = CreditAccount.Kind

# A guard against typos (a price in cents passed as credits), well inside every column.
MAX_CREDITS_PER_MOVEMENT = 1_000_000

EXPIRY_SOURCE_TYPE = "lot-expiry"

# Line = (account, lot, signed amount)
Line = tuple[CreditAccount, CreditLot | None, int]


# ---------- validation ----------


def _require_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidRequest("The amount must be a positive whole number of credits.")
    if amount > MAX_CREDITS_PER_MOVEMENT:
        raise InvalidRequest(
            f"The amount may be at most {credit_count(MAX_CREDITS_PER_MOVEMENT)} in one movement."
        )
    return amount


def _require_source(source_type: object, source_id: object) -> tuple[str, str]:
    if isinstance(source_id, int) and not isinstance(source_id, bool):
        source_id = str(source_id)
    source_type_field = CreditTransaction._meta.get_field("source_type")
    source_id_field = CreditTransaction._meta.get_field("source_id")
    if not isinstance(source_type, str) or not source_type.strip():
        raise InvalidRequest("A source type is required.")
    if not isinstance(source_id, str) or not source_id.strip():
        raise InvalidRequest("A source id is required.")
    if len(source_type) > source_type_field.max_length:  # type: ignore[operator]
        raise InvalidRequest("The source type is too long.")
    if len(source_id) > source_id_field.max_length:  # type: ignore[operator]
        raise InvalidRequest("The source id is too long.")
    return source_type, source_id


def _require_memo(memo: object) -> str:
    if not isinstance(memo, str):
        raise InvalidRequest("The memo must be text.")
    if len(memo) > CreditTransaction._meta.get_field("memo").max_length:  # type: ignore[operator]
        raise InvalidRequest("The memo is too long.")
    return memo


def _require_user(user: object, *, name: str = "user"):
    user_model = get_user_model()
    if not isinstance(user, user_model) or user.pk is None:
        raise InvalidRequest(f"The {name} must be a saved user.")
    return user


def _require_aware(moment: object, *, name: str) -> datetime:
    if not isinstance(moment, datetime) or timezone.is_naive(moment):
        raise InvalidRequest(f"{name} must be a date and time with a time zone.")
    return moment


def _require_transaction(value: object, *, kinds: Iterable[str], name: str) -> CreditTransaction:
    if not isinstance(value, CreditTransaction) or value.pk is None:
        raise InvalidRequest(f"The {name} must be a recorded credit transaction.")
    if value.kind not in set(kinds):
        raise InvalidRequest(f"The {name} must be a {' or '.join(sorted(kinds))} transaction.")
    return value


# ---------- accounts and locks ----------


def _wallet_query():
    return CreditAccount.objects.select_for_update().filter(kind=AccountKind.CLIENT_WALLET)


def _lock_wallet(*, user) -> CreditAccount | None:
    """The user's wallet, locked until the end of the transaction (None if they have none)."""
    return _wallet_query().filter(owner=user).first()


def _lock_or_create_wallet(*, user) -> CreditAccount:
    wallet = _lock_wallet(user=user)
    if wallet is None:
        try:
            with transaction.atomic():
                CreditAccount.objects.create(owner=user, kind=AccountKind.CLIENT_WALLET)
        except IntegrityError:
            pass  # created by a concurrent first grant; lock theirs below
        wallet = _wallet_query().get(owner=user)
    return wallet


def _lock_wallet_by_id(wallet_id: int) -> CreditAccount:
    return _wallet_query().get(pk=wallet_id)


def _system_account(kind: str) -> CreditAccount:
    account, _ = CreditAccount.objects.get_or_create(owner=None, kind=kind)
    return account


# ---------- recording ----------


def _find(source_type: str, source_id: str) -> CreditTransaction | None:
    return CreditTransaction.objects.filter(source_type=source_type, source_id=source_id).first()


def _insert_transaction(**fields) -> tuple[CreditTransaction, bool]:
    """Inserts the transaction, or returns the one a concurrent writer recorded for the
    same source first (the unique constraint decides)."""
    try:
        with transaction.atomic():
            return CreditTransaction.objects.create(**fields), True
    except IntegrityError:
        existing = _find(fields["source_type"], fields["source_id"])
        if existing is None:
            raise
        return existing, False


def _post(credit_transaction: CreditTransaction, lines: list[Line]) -> None:
    """Writes the entries and moves balances and lot remainders by the same amounts."""
    if sum(amount for _, _, amount in lines) != 0:
        raise AssertionError("A credit transaction's entries must sum to zero.")
    CreditEntry.objects.bulk_create(
        CreditEntry(transaction=credit_transaction, account=account, lot=lot, amount=amount)
        for account, lot, amount in lines
    )
    account_deltas: dict[int, int] = defaultdict(int)
    lot_deltas: dict[int, int] = defaultdict(int)
    wallets: dict[int, CreditAccount] = {}
    lots: dict[int, CreditLot] = {}
    for account, lot, amount in lines:
        account_deltas[account.pk] += amount
        if account.is_wallet:
            wallets[account.pk] = account
            if lot is not None:
                lots[lot.pk] = lot
                lot_deltas[lot.pk] += amount
    # The (already locked) wallet first, then system accounts in id order: a fixed order.
    for account_id in sorted(account_deltas, key=lambda pk: (pk not in wallets, pk)):
        if account_deltas[account_id]:
            CreditAccount.objects.filter(pk=account_id).update(
                balance=F("balance") + account_deltas[account_id]
            )
    for lot_id, delta in sorted(lot_deltas.items()):
        if delta:
            CreditLot.objects.filter(pk=lot_id).update(remaining=F("remaining") + delta)
    # The wallet and its lots were read under the wallet's lock, so the instances the
    # caller holds can follow without another query.
    for wallet_id, wallet in wallets.items():
        wallet.balance += account_deltas[wallet_id]
    for lot_id, lot in lots.items():
        lot.remaining += lot_deltas[lot_id]


def _source_conflict(source_type: str, source_id: str) -> Conflict:
    return Conflict(
        f"The source {source_type}:{source_id} already recorded a different credit movement.",
        code="source_conflict",
    )


def _wallet_owner_id(credit_transaction: CreditTransaction) -> int | None:
    return (
        credit_transaction.entries.filter(account__kind=AccountKind.CLIENT_WALLET)
        .values_list("account__owner_id", flat=True)
        .first()
    )


def _spent_total(credit_transaction: CreditTransaction) -> int:
    """What the transaction moved into (+) or out of (-) the spent account."""
    total = credit_transaction.entries.filter(account__kind=AccountKind.SPENT).aggregate(
        total=Sum("amount")
    )["total"]
    return total or 0


# ---------- services ----------


@transaction.atomic
def credits_grant(
    *,
    user,
    amount: int,
    kind: str,
    source_type: str,
    source_id: str,
    expires_at: datetime | None = None,
    memo: str = "",
    created_by=None,
) -> CreditTransaction:
    """Gives the user `amount` credits in a new lot that expires at `expires_at` (never,
    if None). `kind` is purchase, allowance, partner_grant or adjustment. Entries: issuance
    -amount, wallet +amount. Repeating the same source returns the recorded grant (the
    expiry is not compared: callers may compute it from the time they process an event).

    An expiry already in the past is recorded as given (a late webhook for a period that
    has ended): those credits are never available and the next expiry run removes them."""
    _require_user(user)
    amount = _require_amount(amount)
    if kind not in CreditTransaction.GRANT_KINDS:
        raise InvalidRequest(
            "The grant kind must be one of: " + ", ".join(sorted(CreditTransaction.GRANT_KINDS))
        )
    source_type, source_id = _require_source(source_type, source_id)
    memo = _require_memo(memo)
    if expires_at is not None:
        _require_aware(expires_at, name="The expiry")
    if created_by is not None:
        _require_user(created_by, name="creator")

    wallet = _lock_or_create_wallet(user=user)

    def replay(existing: CreditTransaction) -> CreditTransaction:
        lot = CreditLot.objects.filter(grant_transaction=existing).first()
        if (
            existing.kind != kind
            or lot is None
            or lot.wallet_id != wallet.pk
            or lot.granted != amount
        ):
            raise _source_conflict(source_type, source_id)
        return existing

    existing = _find(source_type, source_id)
    if existing is not None:
        return replay(existing)

    grant, created = _insert_transaction(
        kind=kind,
        source_type=source_type,
        source_id=source_id,
        memo=memo,
        created_by=created_by,
    )
    if not created:
        return replay(grant)
    lot = CreditLot.objects.create(
        wallet=wallet,
        grant_transaction=grant,
        granted=amount,
        remaining=0,  # _post adds the wallet entry's amount
        expires_at=expires_at,
    )
    _post(grant, [(_system_account(AccountKind.ISSUANCE), lot, -amount), (wallet, lot, amount)])
    return grant


def _spendable_lots(
    *, wallet: CreditAccount, now: datetime, grant_kinds: frozenset[str] | None = None
) -> list[CreditLot]:
    """The wallet's live lots in the order spends take from them: earliest expiry first,
    lots that never expire last, then oldest first. `grant_kinds` keeps only lots
    granted by those kinds of movement (a lot's kind is its grant's)."""
    lots = CreditLot.objects.filter(wallet=wallet, remaining__gt=0).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    if grant_kinds is not None:
        lots = lots.filter(grant_transaction__kind__in=grant_kinds)
    return list(lots.order_by(F("expires_at").asc(nulls_last=True), "created_at", "pk"))


def _require_grant_kinds(grant_kinds: object) -> frozenset[str] | None:
    if grant_kinds is None:
        return None
    if isinstance(grant_kinds, str):
        raise InvalidRequest("grant_kinds must be a collection of kinds, not one string.")
    if not isinstance(grant_kinds, Iterable):
        raise InvalidRequest(
            "grant_kinds must be a collection of kinds.", code="invalid_grant_kinds"
        )
    kinds = frozenset(str(kind) for kind in grant_kinds)
    if not kinds or not kinds <= CreditTransaction.GRANT_KINDS:
        raise InvalidRequest("grant_kinds must name grant kinds.", code="invalid_grant_kinds")
    return kinds


@transaction.atomic
def credits_spend(
    *,
    user,
    amount: int,
    source_type: str,
    source_id: str,
    memo: str = "",
    grant_kinds: Iterable[str] | None = None,
) -> CreditTransaction:
    """Takes `amount` credits from the user's live lots, first-in first-out (one wallet
    entry per lot, balanced by the spent account). `grant_kinds` limits the spend to lots
    granted by those kinds (e.g. only the membership allowance). Raises
    InsufficientCredits when fewer are available. Repeating the same source returns the
    recorded spend."""
    _require_user(user)
    amount = _require_amount(amount)
    source_type, source_id = _require_source(source_type, source_id)
    memo = _require_memo(memo)
    kinds = _require_grant_kinds(grant_kinds)

    wallet = _lock_wallet(user=user)

    def replay(existing: CreditTransaction) -> CreditTransaction:
        if (
            existing.kind != TransactionKind.SPEND
            or _wallet_owner_id(existing) != user.pk
            or _spent_total(existing) != amount
        ):
            raise _source_conflict(source_type, source_id)
        return existing

    existing = _find(source_type, source_id)
    if existing is not None:
        return replay(existing)

    lots = (
        _spendable_lots(wallet=wallet, now=timezone.now(), grant_kinds=kinds)
        if wallet is not None
        else []
    )
    available = sum(lot.remaining for lot in lots)
    if wallet is None or available < amount:
        raise InsufficientCredits(
            f"Not enough credits: {available} available, {amount} needed.",
        )

    spend, created = _insert_transaction(
        kind=TransactionKind.SPEND, source_type=source_type, source_id=source_id, memo=memo
    )
    if not created:
        return replay(spend)
    spent_account = _system_account(AccountKind.SPENT)
    lines: list[Line] = []
    left = amount
    for lot in lots:
        if left == 0:
            break
        take = min(lot.remaining, left)
        lines += [(wallet, lot, -take), (spent_account, lot, take)]
        left -= take
    try:
        with transaction.atomic():
            _post(spend, lines)
    except IntegrityError as error:
        # The check constraints (wallet balance >= 0, lot remaining >= 0) are the last
        # line of defence should the lock above ever be bypassed.
        raise InsufficientCredits(f"Not enough credits for {amount}.") from error
    return spend


@transaction.atomic
def credits_refund(
    *,
    spend: CreditTransaction,
    amount: int | None = None,
    source_type: str,
    source_id: str,
    memo: str = "",
) -> CreditTransaction:
    """Gives back `amount` credits of a spend (all that is still refundable if None) to
    the lots they came from, most recently consumed first, with those lots' expiry dates.
    Credits that came from a lot whose grant was reversed go to the reversed account, not
    the wallet. Raises Conflict when more is asked than the spend still has to refund."""
    spend = _require_transaction(spend, kinds=[TransactionKind.SPEND], name="spend")
    if amount is not None:
        amount = _require_amount(amount)
    source_type, source_id = _require_source(source_type, source_id)
    memo = _require_memo(memo)

    spend_entries = list(
        spend.entries.filter(account__kind=AccountKind.CLIENT_WALLET).order_by("pk")
    )
    wallet = _lock_wallet_by_id(spend_entries[0].account_id)

    def replay(existing: CreditTransaction) -> CreditTransaction:
        if (
            existing.kind != TransactionKind.REFUND
            or existing.original_id != spend.pk
            or (amount is not None and -_spent_total(existing) != amount)
        ):
            raise _source_conflict(source_type, source_id)
        return existing

    existing = _find(source_type, source_id)
    if existing is not None:
        return replay(existing)

    refunded_by_lot: dict[int, int] = defaultdict(int)
    for lot_id, refunded in (
        CreditEntry.objects.filter(
            transaction__original=spend,
            transaction__kind=TransactionKind.REFUND,
            account__kind=AccountKind.SPENT,
        )
        .values_list("lot_id")
        .annotate(total=Sum("amount"))
    ):
        refunded_by_lot[lot_id] = -refunded
    # Most recently consumed first.
    refundable_by_lot: list[tuple[int, int]] = []
    for entry in reversed(spend_entries):
        # A spend takes from each lot once (and always from a lot), so each lot has one
        # entry here.
        lot_id = entry.lot_id
        if lot_id is None:
            continue
        refundable = -entry.amount - refunded_by_lot[lot_id]
        if refundable > 0:
            refundable_by_lot.append((lot_id, refundable))
    refundable_total = sum(refundable for _, refundable in refundable_by_lot)
    if amount is None:
        if refundable_total == 0:
            raise Conflict("This spend has already been refunded in full.", code="refunded")
        amount = refundable_total
    elif amount > refundable_total:
        raise Conflict(
            f"Only {credit_count(refundable_total)} of this spend can still be refunded.",
            code="refund_exceeds_spend",
        )

    refund, created = _insert_transaction(
        kind=TransactionKind.REFUND,
        source_type=source_type,
        source_id=source_id,
        original=spend,
        memo=memo,
    )
    if not created:
        return replay(refund)
    lots = CreditLot.objects.in_bulk([lot_id for lot_id, _ in refundable_by_lot])
    spent_account = _system_account(AccountKind.SPENT)
    lines: list[Line] = []
    left = amount
    for lot_id, refundable in refundable_by_lot:
        if left == 0:
            break
        give = min(refundable, left)
        lot = lots[lot_id]
        # A reversed grant's credits stay taken back: the client already has the money.
        receiver = _system_account(AccountKind.REVERSED) if lot.reversed_at else wallet
        lines += [(spent_account, lot, -give), (receiver, lot, give)]
        left -= give
    _post(refund, lines)
    return refund


@transaction.atomic
def _expire_lot(*, lot_id: int, wallet_id: int, now: datetime) -> bool:
    """Expires what remains of one lot, if it is still due (re-read under the lock)."""
    wallet = _lock_wallet_by_id(wallet_id)
    lot = CreditLot.objects.get(pk=lot_id)
    if lot.remaining == 0 or lot.expires_at is None or lot.expires_at > now:
        return False
    # A refund can put credits back into an expired lot; each later expiry gets its own
    # source so that the first one keeps the plain ("lot-expiry", lot id) key.
    earlier = (
        CreditTransaction.objects.filter(kind=TransactionKind.EXPIRY, entries__lot=lot)
        .distinct()
        .count()
    )
    source_id = str(lot.pk) if earlier == 0 else f"{lot.pk}.{earlier + 1}"
    expiry, created = _insert_transaction(
        kind=TransactionKind.EXPIRY, source_type=EXPIRY_SOURCE_TYPE, source_id=source_id
    )
    if not created:
        return False
    _post(
        expiry,
        [(wallet, lot, -lot.remaining), (_system_account(AccountKind.EXPIRED), lot, lot.remaining)],
    )
    return True


def credits_expire_due(*, now: datetime | None = None) -> int:
    """Expires every lot whose date has passed and that still holds credits: one
    transaction per lot, source ("lot-expiry", lot id), so a failure keeps the lots already
    done and a second run (or a concurrent one) finds nothing left to do. Returns how many
    lots expired."""
    now = timezone.now() if now is None else _require_aware(now, name="now")
    due = list(
        CreditLot.objects.filter(remaining__gt=0, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", "wallet_id")
    )
    return sum(
        _expire_lot(lot_id=lot_id, wallet_id=wallet_id, now=now) for lot_id, wallet_id in due
    )


@transaction.atomic
def credits_reverse_grant(
    *, grant: CreditTransaction, source_type: str, source_id: str, memo: str = ""
) -> CreditTransaction | None:
    """Takes back what remains of a grant's lot after its payment was refunded or
    disputed: never more, so the wallet cannot go negative. Credits already spent from it
    stay spent; if they are refunded later they go to the reversed account.

    Returns the reversal, or None when nothing remained. Either way the source is
    recorded (a transaction without entries when nothing remained), so a replay returns
    the same answer and changes nothing."""
    grant = _require_transaction(grant, kinds=CreditTransaction.GRANT_KINDS, name="grant")
    source_type, source_id = _require_source(source_type, source_id)
    memo = _require_memo(memo)

    lot = CreditLot.objects.get(grant_transaction=grant)
    wallet = _lock_wallet_by_id(lot.wallet_id)
    lot.refresh_from_db()

    def replay(existing: CreditTransaction) -> CreditTransaction | None:
        if existing.kind != TransactionKind.REVERSAL or existing.original_id != grant.pk:
            raise _source_conflict(source_type, source_id)
        return existing if existing.entries.exists() else None

    existing = _find(source_type, source_id)
    if existing is not None:
        return replay(existing)

    reversal, created = _insert_transaction(
        kind=TransactionKind.REVERSAL,
        source_type=source_type,
        source_id=source_id,
        original=grant,
        memo=memo,
    )
    if not created:
        return replay(reversal)
    if lot.reversed_at is None:
        CreditLot.objects.filter(pk=lot.pk).update(reversed_at=reversal.created_at)
    if lot.remaining == 0:
        return None
    _post(
        reversal,
        [
            (wallet, lot, -lot.remaining),
            (_system_account(AccountKind.REVERSED), lot, lot.remaining),
        ],
    )
    return reversal
