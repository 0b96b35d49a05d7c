"""Credits for tests, given through the services so the ledger stays consistent."""

import itertools
from datetime import datetime

import factory

from commerce.credits.models import CreditAccount, CreditTransaction
from commerce.credits.services import credits_grant, credits_spend
from tests.accounts.factories import UserFactory

_sources = itertools.count(1)


def next_source_id(prefix: str = "test") -> str:
    return f"{prefix}-{next(_sources)}"


class WalletFactory(factory.django.DjangoModelFactory):
    """An empty client wallet (grants create one when missing, so this is rarely needed)."""

    class Meta:
        model = CreditAccount

    owner = factory.SubFactory(UserFactory)
    kind = CreditAccount.Kind.CLIENT_WALLET


def give_credits(
    *,
    user,
    amount: int,
    expires_at: datetime | None = None,
    kind: str = CreditTransaction.Kind.PURCHASE,
    source_id: str | None = None,
) -> CreditTransaction:
    """Grants credits as a purchase from a unique test source."""
    return credits_grant(
        user=user,
        amount=amount,
        kind=kind,
        source_type="test-purchase",
        source_id=source_id or next_source_id("purchase"),
        expires_at=expires_at,
    )


def spend_credits(*, user, amount: int, source_id: str | None = None) -> CreditTransaction:
    """Spends credits for a unique test booking."""
    return credits_spend(
        user=user,
        amount=amount,
        source_type="test-booking",
        source_id=source_id or next_source_id("booking"),
    )
