"""The one currency table: how many decimal digits each currency's stored integer carries
and how many people see and type. Imports nothing from the project, so every layer,
Stripe's adapter included, reads the same table (docs/decisions/0024-money.md).

`exponent` is the number of decimal digits in the integer amounts we store and send to
Stripe (Stripe's "smallest currency unit"). It is ISO 4217's minor unit except where
Stripe's API differs: MGA is zero-decimal in Stripe, and ISK stays two-decimal in the
API although only whole krónur may be charged. `decimals` is what people see and type:
ISO 4217's minor unit, never more than `exponent`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODE = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True, slots=True)
class Currency:
    code: str  # upper-case ISO 4217 code
    exponent: int = 2
    decimals: int = 2
    symbol: str = ""

    @property
    def factor(self) -> int:
        """Minor units in one major unit (100 for GBP, 1 for JPY, 1000 for KWD)."""
        return 10**self.exponent


# Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal):
# the amount is the whole number of units, ¥500 is 500.
STRIPE_ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)
# Three-decimal currencies (ISO 4217 minor unit 3; Stripe's API takes them in thousandths).
THREE_DECIMAL = frozenset("BHD IQD JOD KWD LYD OMR TND".split())

_SYMBOLS = {
    "GBP": "£",
    "EUR": "€",
    "USD": "$",
    "JPY": "¥",
    "AUD": "A$",
    "CAD": "C$",
    "NZD": "NZ$",
}

_SPECIAL = {
    # Whole krónur only, but Stripe kept ISK two-decimal in its API: 5 kr is 500.
    "ISK": Currency("ISK", exponent=2, decimals=0),
}


def _build(code: str) -> Currency:
    if code in _SPECIAL:
        return _SPECIAL[code]
    symbol = _SYMBOLS.get(code, "")
    if code in STRIPE_ZERO_DECIMAL:
        return Currency(code, exponent=0, decimals=0, symbol=symbol)
    if code in THREE_DECIMAL:
        return Currency(code, exponent=3, decimals=3, symbol=symbol)
    return Currency(code, exponent=2, decimals=2, symbol=symbol)


def get_currency(code: str) -> Currency:
    """The table's row for an ISO code in either case; ValueError for anything that is
    not three letters. Codes not listed are two-decimal, as most of ISO 4217 is."""
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code.")
    return _build(code.upper())


def is_zero_decimal(code: str) -> bool:
    """True where the stored amount is the number of whole units (Stripe's list)."""
    return get_currency(code).exponent == 0
