"""Money as integer minor units plus an ISO 4217 currency, with the one currency table
(docs/decisions/0024-money.md). This package imports nothing from the project, so every
layer, integrations included, may use it."""

from money.currencies import Currency, get_currency, is_zero_decimal
from money.values import CurrencyMismatchError, Money, MoneyError, format_amount

__all__ = [
    "Currency",
    "CurrencyMismatchError",
    "Money",
    "MoneyError",
    "format_amount",
    "get_currency",
    "is_zero_decimal",
]
