"""Reads about payments that pages and exports share."""

from dataclasses import dataclass
from datetime import datetime

from commerce.payments.models import ConnectedAccount, Payment, Transfer


@dataclass(frozen=True)
class EarningsRow:
    date: datetime
    description: str
    method: str  # "card" or "credits / membership / sponsor"
    gross: int
    platform_fee: int
    net: int
    currency: str
    payout_state: str


_CARD_STATES: dict[str, str] = {
    Payment.Status.PAID: "Paid to your account",
    Payment.Status.PARTIALLY_REFUNDED: "Paid, partly refunded",
    Payment.Status.REFUNDED: "Refunded to the client",
    Payment.Status.DISPUTED: "Disputed by the client's bank",
}


def earnings_statement(*, account: ConnectedAccount) -> list[EarningsRow]:
    """Per session: gross, our fee, net and where the money is. Card sessions are
    destination charges (paid out by Stripe at once, reversed on refund); other sessions
    are paid out by transfer after they are completed. Two queries, however many rows."""
    rows = [
        EarningsRow(
            date=payment.paid_at,
            description=payment.description,
            method="card",
            gross=payment.amount - payment.amount_refunded,
            platform_fee=_fee_after_refund(payment),
            net=payment.amount - payment.amount_refunded - _fee_after_refund(payment),
            currency=payment.currency,
            payout_state=_CARD_STATES.get(payment.status, payment.get_status_display()),
        )
        for payment in Payment.objects.filter(destination=account, paid_at__isnull=False)
        if payment.paid_at is not None  # always, by the filter; tells the type checker
    ]
    rows += [
        EarningsRow(
            date=transfer.created_at,
            description=transfer.description or "Session",
            method="credits / membership / sponsor",
            gross=transfer.gross_amount,
            platform_fee=transfer.platform_fee,
            net=transfer.amount,
            currency=transfer.currency,
            payout_state=transfer.get_status_display(),
        )
        for transfer in Transfer.objects.filter(destination=account)
    ]
    return sorted(rows, key=lambda row: row.date, reverse=True)


def _fee_after_refund(payment: Payment) -> int:
    # Stripe refunds the application fee in proportion to the amount refunded.
    if not payment.amount:
        return 0
    kept = payment.amount - payment.amount_refunded
    return payment.application_fee_amount * kept // payment.amount
