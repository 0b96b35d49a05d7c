"""`Money`: an integer amount in minor units and its currency, parsed from and shown in
the units people use (docs/decisions/0024-money.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import total_ordering

from money.currencies import Currency, get_currency

# Digits before the point: plain ("1200") or grouped in threes ("1,200"); the point and
# decimals are optional; ".50" is read as 0.50.
_NUMBER = re.compile(r"^(?P<whole>\d+|\d{1,3}(?:,\d{3})+)?(?:\.(?P<fraction>\d*))?$")
MAX_WHOLE_DIGITS = 12


class MoneyError(ValueError):
    """An amount that cannot be money in this currency. `code` is stable for APIs."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class CurrencyMismatchError(TypeError):
    """Arithmetic or comparison between amounts in two currencies."""


@total_ordering
@dataclass(frozen=True, slots=True, eq=False)
class Money:
    """`amount` in minor units (pence, cents; yen for JPY; fils for KWD) and a lower-case
    ISO 4217 `currency`, as the models store them. Adding, subtracting or comparing
    two currencies raises CurrencyMismatchError."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(f"Money amounts are integer minor units, not {self.amount!r}.")
        object.__setattr__(self, "currency", get_currency(self.currency).code.lower())

    # Construction -------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_major(cls, value: Decimal | int | str, currency: str) -> Money:
        """A Decimal (or int, or plain string) in major units, exact to the currency's
        decimals; MoneyError when it is not."""
        spec = get_currency(currency)
        try:
            number = Decimal(value)
        except (ArithmeticError, ValueError, TypeError) as error:
            raise MoneyError(_example_message(spec)) from error
        if not number.is_finite():
            raise MoneyError(_example_message(spec))
        if number.adjusted() >= MAX_WHOLE_DIGITS:
            raise MoneyError("That amount is too large.", code="too_large")
        if number != number.quantize(Decimal(1).scaleb(-spec.decimals)):
            raise MoneyError(_decimals_message(spec), code="too_many_decimals")
        minor = number.scaleb(spec.exponent)
        return cls(int(minor), currency)

    @classmethod
    def parse(cls, text: str, currency: str, *, allow_negative: bool = False) -> Money:
        """What a person typed, in major units: "12.50", "12", "£12.50", "1,200.00",
        "GBP 12.50". MoneyError says what is wrong (not a number, negative, too many
        decimals, too large) in the currency's own terms."""
        spec = get_currency(currency)
        raw = (text or "").strip().replace("\u00a0", " ")
        negative = raw.startswith("-")
        if negative:
            raw = raw[1:].lstrip()
        raw = _strip_currency_marks(raw, spec)
        if raw.startswith("-"):  # "£-5"
            negative, raw = True, raw[1:].lstrip()
        match = _NUMBER.match(raw)
        if not raw or match is None or not (match["whole"] or match["fraction"]):
            raise MoneyError(_example_message(spec))
        if negative and not allow_negative:
            raise MoneyError("Enter an amount that is not negative.", code="negative")
        whole = (match["whole"] or "0").replace(",", "")
        fraction = (match["fraction"] or "").rstrip("0")
        if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
            raise MoneyError("That amount is too large.", code="too_large")
        if len(fraction) > spec.decimals:
            raise MoneyError(_decimals_message(spec), code="too_many_decimals")
        minor = int(whole) * spec.factor + int(fraction.ljust(spec.exponent, "0") or "0")
        return cls(-minor if negative else minor, currency)

    # Reading ------------------------------------------------------------------------

    @property
    def spec(self) -> Currency:
        return get_currency(self.currency)

    @property
    def major(self) -> Decimal:
        """The amount in major units, with the currency's stored precision."""
        return Decimal(self.amount).scaleb(-self.spec.exponent)

    def decimal_string(self) -> str:
        """Plain major units for machines (CSV, JSON-LD, form initial values): "12.50",
        "1200", "1.250", "5000" for ISK 500000. No symbol, no grouping."""
        return _number(self, grouped=False)

    def format(self) -> str:
        """For people: "£12.50", "¥1,200", "-£3.00", "KWD 1.250", "ISK 5,000"."""
        spec = self.spec
        sign = "-" if self.amount < 0 else ""
        number = _number(abs(self), grouped=True)
        if spec.symbol:
            return f"{sign}{spec.symbol}{number}"
        return f"{sign}{spec.code} {number}"

    def __str__(self) -> str:
        return self.format()

    # Arithmetic ---------------------------------------------------------------------

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine Money with {type(other).__name__}.")
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"Cannot combine {self.currency.upper()} with {other.currency.upper()}."
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def percent(self, percent: int) -> Money:
        """`percent` of this amount, rounded down to the minor unit."""
        return Money(self.amount * percent // 100, self.currency)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount == other.amount and self.currency == other.currency

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount


def _number(money: Money, *, grouped: bool) -> str:
    spec = money.spec
    sign = "-" if money.amount < 0 else ""
    whole, minor = divmod(abs(money.amount), spec.factor)
    # Show the currency's usual decimals, unless the amount has more (never hide money).
    shown = spec.decimals
    if minor and minor % 10 ** (spec.exponent - spec.decimals):
        shown = spec.exponent
    text = f"{whole:,}" if grouped else str(whole)
    if shown:
        fraction = str(minor).rjust(spec.exponent, "0")[:shown]
        text = f"{text}.{fraction}"
    return sign + text


def _strip_currency_marks(raw: str, spec: Currency) -> str:
    for mark in filter(None, (spec.symbol, spec.code, spec.code.lower())):
        if raw.startswith(mark):
            return raw[len(mark) :].strip()
        if raw.endswith(mark):
            return raw[: -len(mark)].strip()
    return raw


def _example_message(spec: Currency) -> str:
    example = Money(1250 * spec.factor // 100 if spec.decimals else 1200 * spec.factor, spec.code)
    return f"Enter an amount such as {example.format()}."


def _decimals_message(spec: Currency) -> str:
    if spec.decimals == 0:
        return f"{spec.code} amounts are whole numbers, without decimals."
    words = {1: "one decimal", 2: "two decimals", 3: "three decimals"}
    return f"{spec.code} amounts have at most {words.get(spec.decimals, spec.decimals)}."


def format_amount(amount: int | None, currency: str | None) -> str:
    """`Money(amount, currency).format()` for pages, lists and labels, where one bad row
    must not break the page: "" without an amount, the raw figures when the currency
    code is not one."""
    if amount is None or amount == "":
        return ""
    try:
        return Money(int(amount), currency or "").format()
    except (TypeError, ValueError):
        return f"{amount} {currency or ''}".strip()
