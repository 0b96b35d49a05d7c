"""Reads about payments that pages and exports share."""

from collections.abc import Callable, Collection
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


# What a payment or transfer was for, read from its source now (a booking moved since
# the payment was made shows its new time): source_type -> describe(source_ids) ->
# {source_id: label}. Apps above payments register theirs when ready (bookings does in
# booking_handlers), so payments imports none of them.
SourceDescriber = Callable[[Collection[str]], dict[str, str]]
_source_describers: dict[str, SourceDescriber] = {}


def source_describer_register(source_type: str, describe: SourceDescriber) -> None:
    _source_describers[source_type] = describe


def _source_labels(pairs: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Labels for (source_type, source_id) pairs: one call per registered type."""
    by_type: dict[str, set[str]] = {}
    for source_type, source_id in pairs:
        if source_type in _source_describers and source_id:
            by_type.setdefault(source_type, set()).add(source_id)
    labels: dict[tuple[str, str], str] = {}
    for source_type, source_ids in by_type.items():
        for source_id, label in _source_describers[source_type](source_ids).items():
            labels[(source_type, source_id)] = label
    return labels


def earnings_statement(*, account: ConnectedAccount) -> list[EarningsRow]:
    """Per session: gross, our fee, net and where the money is. Card sessions are
    destination charges (paid out by Stripe at once, reversed on refund); other sessions
    are paid out by transfer after they are completed. Descriptions come from the
    sources as they are now (a moved booking shows its new time), not from the text
    copied onto the payment when it was made. Two queries plus one per kind of source,
    however many rows."""
    payments = list(Payment.objects.filter(destination=account, paid_at__isnull=False))
    transfers = list(Transfer.objects.filter(destination=account))
    labels = _source_labels(
        [(payment.source_type, payment.source_id) for payment in payments]
        + [(transfer.source_type, transfer.source_id) for transfer in transfers]
    )
    rows = [
        EarningsRow(
            date=payment.paid_at,
            description=labels.get((payment.source_type, payment.source_id)) or payment.description,
            method="card",
            gross=payment.amount - payment.amount_refunded,
            platform_fee=_fee_after_refund(payment),
            net=payment.amount - payment.amount_refunded - _fee_after_refund(payment),
            currency=payment.currency,
            payout_state=_CARD_STATES.get(payment.status, payment.get_status_display()),
        )
        for payment in payments
        if payment.paid_at is not None  # always, by the filter; tells the type checker
    ]
    rows += [
        EarningsRow(
            date=transfer.created_at,
            description=_transfer_description(
                transfer, labels.get((transfer.source_type, transfer.source_id))
            ),
            method="credits / membership / sponsor",
            gross=transfer.gross_amount,
            platform_fee=transfer.platform_fee,
            net=transfer.amount,
            currency=transfer.currency,
            payout_state=transfer.get_status_display(),
        )
        for transfer in transfers
    ]
    return sorted(rows, key=lambda row: row.date, reverse=True)


def _transfer_description(transfer: Transfer, label: str | None) -> str:
    if label is None:
        return transfer.description or "Session"
    if not transfer.description or label.startswith(transfer.description):
        return label
    return f"{transfer.description}: {label}"


def _fee_after_refund(payment: Payment) -> int:
    # Stripe refunds the application fee in proportion to the amount refunded.
    if not payment.amount:
        return 0
    kept = payment.amount - payment.amount_refunded
    return payment.application_fee_amount * kept // payment.amount
