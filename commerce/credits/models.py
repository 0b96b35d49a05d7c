"""The credits ledger: double-entry, append-only.

Every movement is a `CreditTransaction` whose `CreditEntry` rows sum to zero. A client's
wallet is a `CreditAccount`; the other side of every movement is one of the system
accounts (issuance, spent, expired, reversed). Credits arrive in `CreditLot`s, each with
its own expiry date, and leave them first-in first-out. `CreditAccount.balance` and
`CreditLot.remaining` are running totals the services keep in the same database
transaction as the entries; the entries stay the truth.

Entries and transactions are never changed or deleted: `save()` and `delete()` refuse
here, and database triggers refuse raw UPDATE and DELETE (migration 0002).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class LedgerIsAppendOnly(Exception):
    """Ledger entries and transactions are never changed or deleted; record a new
    movement (a refund, a reversal, an adjustment) instead."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes; the database triggers refuse them too."""

    def update(self, **kwargs):
        raise LedgerIsAppendOnly(f"{self.model.__name__} rows are never updated.")

    def delete(self):
        raise LedgerIsAppendOnly(f"{self.model.__name__} rows are never deleted.")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and then only read."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsAppendOnly(f"{type(self).__name__} rows are never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly(f"{type(self).__name__} rows are never deleted.")


class CreditAccount(models.Model):
    """A client's wallet, or one of the system accounts that balance it."""

    class Kind(models.TextChoices):
        CLIENT_WALLET = "client_wallet", "Client wallet"
        ISSUANCE = "issuance", "Issuance"
        SPENT = "spent", "Spent"
        EXPIRED = "expired", "Expired"
        REVERSED = "reversed", "Reversed"

    # The ledger is a financial record: a user with a wallet is deactivated, not deleted.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_accounts",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    balance = models.BigIntegerField(
        default=0, help_text="Sum of this account's entries, kept by the services."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="client_wallet") | Q(balance__gte=0),
                name="credits_wallet_balance_not_negative",
                violation_error_message="A client's credit balance cannot go below zero.",
            ),
            models.CheckConstraint(
                condition=(Q(kind="client_wallet") & Q(owner__isnull=False))
                | (~Q(kind="client_wallet") & Q(owner__isnull=True)),
                name="credits_account_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(kind="client_wallet"),
                name="credits_one_wallet_per_owner",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(owner__isnull=True),
                name="credits_one_system_account_per_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.CLIENT_WALLET:
            return f"Credit wallet of {self.owner}"
        return f"{self.get_kind_display()} (system)"

    @property
    def is_wallet(self) -> bool:
        return self.kind == self.Kind.CLIENT_WALLET


class CreditTransaction(AppendOnlyModel):
    """One movement of credits. Unique on its source, so a replayed webhook, booking or
    refund finds the movement already recorded and changes nothing."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", "Credit pack purchase"
        ALLOWANCE = "allowance", "Membership allowance"
        PARTNER_GRANT = "partner_grant", "Partner grant"
        ADJUSTMENT = "adjustment", "Adjustment"
        SPEND = "spend", "Spent"
        REFUND = "refund", "Refund"
        EXPIRY = "expiry", "Expired"
        REVERSAL = "reversal", "Reversed"

    GRANT_KINDS = frozenset({Kind.PURCHASE, Kind.ALLOWANCE, Kind.PARTNER_GRANT, Kind.ADJUSTMENT})

    kind = models.CharField(max_length=20, choices=Kind.choices)
    source_type = models.CharField(
        max_length=64, help_text="What caused the movement, e.g. 'stripe-event', 'booking'."
    )
    source_id = models.CharField(max_length=255, help_text="The causing object's id.")
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The spend a refund gives back, or the grant a reversal takes back.",
    )
    memo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # PROTECT, not SET_NULL: nulling the column would be an UPDATE the ledger refuses.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="credits_transaction_source_unique"
            ),
            models.CheckConstraint(
                condition=~Q(source_type="") & ~Q(source_id=""),
                name="credits_transaction_source_not_blank",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.source_type}:{self.source_id})"

    @property
    def description(self) -> str:
        """What a statement shows for the movement: the memo, or a plain sentence."""
        return self.memo or DEFAULT_DESCRIPTIONS.get(self.kind, self.get_kind_display())


DEFAULT_DESCRIPTIONS: dict[str, str] = {
    CreditTransaction.Kind.PURCHASE: "Credit pack bought",
    CreditTransaction.Kind.ALLOWANCE: "Credits included in your membership",
    CreditTransaction.Kind.PARTNER_GRANT: "Credits funded by a partner",
    CreditTransaction.Kind.ADJUSTMENT: "Adjusted by Aeyia",
    CreditTransaction.Kind.SPEND: "Used for a booking",
    CreditTransaction.Kind.REFUND: "Returned from a booking",
    CreditTransaction.Kind.EXPIRY: "Reached their expiry date",
    CreditTransaction.Kind.REVERSAL: "Taken back: the payment was refunded or disputed",
}


class CreditLot(models.Model):
    """Credits granted together, expiring together. Spends take from lots first-in
    first-out (earliest expiry first, lots without expiry last, then oldest)."""

    wallet = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="lots")
    grant_transaction = models.OneToOneField(
        CreditTransaction, on_delete=models.PROTECT, related_name="lot"
    )
    granted = models.PositiveIntegerField()
    remaining = models.PositiveIntegerField(
        help_text="Sum of the wallet entries on this lot, kept by the services."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the grant was taken back (payment refunded or disputed); credits "
        "refunded to this lot afterwards go to the reversed account, not the wallet.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(granted__gt=0), name="credits_lot_granted_positive"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=models.F("granted")),
                name="credits_lot_remaining_within_granted",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(remaining__gt=0) & Q(expires_at__isnull=False),
                name="credits_lot_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Lot #{self.pk}: {self.remaining}/{self.granted}"


class CreditEntry(AppendOnlyModel):
    """One side of a movement on one account (and, for wallets, one lot). Positive adds
    to the account, negative takes from it."""

    transaction = models.ForeignKey(
        CreditTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    lot = models.ForeignKey(
        CreditLot, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    amount = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "credit entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="credits_entry_amount_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} on {self.account} (transaction #{self.transaction_id})"


class CreditPack(models.Model):
    """A bundle of credits clients buy by card; staff edit packs in the Wagtail admin.
    A purchase snapshots the credits and validity onto its payment."""

    name = models.CharField(max_length=80)
    credit_count = models.PositiveIntegerField()
    price = models.PositiveIntegerField(help_text="Minor units (pence).")
    currency = models.CharField(max_length=3, default="gbp")
    validity_days = models.PositiveIntegerField(
        default=180, help_text="Credits expire this many days after purchase."
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "price"]
        constraints = [
            models.CheckConstraint(condition=Q(credit_count__gt=0), name="pack_credits_positive"),
            models.CheckConstraint(condition=Q(price__gt=0), name="pack_price_positive"),
            models.CheckConstraint(condition=Q(validity_days__gt=0), name="pack_validity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def price_per_credit(self) -> int:
        return self.price // self.credit_count
