"""Money: parsing what people type, showing amounts, and arithmetic that refuses to mix
currencies (docs/decisions/0024-money.md)."""

from decimal import Decimal

import pytest

from money import (
    CurrencyMismatchError,
    Money,
    MoneyError,
    format_amount,
    get_currency,
    is_zero_decimal,
)


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("12.50", "gbp", 1250),
        ("12", "gbp", 1200),
        ("12.5", "GBP", 1250),
        ("£12.50", "gbp", 1250),
        (" £ 12.50 ", "gbp", 1250),
        ("12.50 GBP", "gbp", 1250),
        ("1,200.00", "gbp", 120000),
        (".50", "gbp", 50),
        ("0", "gbp", 0),
        ("1200", "jpy", 1200),
        ("¥1,200", "jpy", 1200),
        ("1200.0", "jpy", 1200),
        ("1.25", "kwd", 1250),
        ("1.255", "kwd", 1255),
        ("KWD 0.005", "kwd", 5),
        # Stripe keeps ISK two-decimal in its API; only whole krónur are charged.
        ("5000", "isk", 500000),
        ("12.34", "huf", 1234),
    ],
)
def test_parse_reads_major_units_into_minor_units(text, currency, amount):
    assert Money.parse(text, currency) == Money(amount, currency)


@pytest.mark.parametrize(
    ("text", "currency", "code", "message"),
    [
        ("abc", "gbp", "invalid", "Enter an amount such as £12.50."),
        ("", "gbp", "invalid", "Enter an amount such as £12.50."),
        ("£", "gbp", "invalid", "Enter an amount such as £12.50."),
        ("1,2", "gbp", "invalid", "Enter an amount such as £12.50."),
        ("1e5", "gbp", "invalid", "Enter an amount such as £12.50."),
        ("12.50 USD", "gbp", "invalid", "Enter an amount such as £12.50."),
        ("NaN", "gbp", "invalid", "Enter an amount such as £12.50."),
        ("-5", "gbp", "negative", "Enter an amount that is not negative."),
        ("-£5", "gbp", "negative", "Enter an amount that is not negative."),
        ("12.345", "gbp", "too_many_decimals", "GBP amounts have at most two decimals."),
        ("12.5", "jpy", "too_many_decimals", "JPY amounts are whole numbers, without decimals."),
        ("1.2345", "kwd", "too_many_decimals", "KWD amounts have at most three decimals."),
        ("5.5", "isk", "too_many_decimals", "ISK amounts are whole numbers, without decimals."),
        ("1" * 13, "gbp", "too_large", "That amount is too large."),
        ("abc", "jpy", "invalid", "Enter an amount such as ¥1,200."),
    ],
)
def test_parse_explains_what_is_wrong(text, currency, code, message):
    with pytest.raises(MoneyError) as caught:
        Money.parse(text, currency)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_negative_amounts_parse_only_when_allowed():
    assert Money.parse("-3.50", "gbp", allow_negative=True) == Money(-350, "gbp")


@pytest.mark.parametrize(
    ("amount", "currency", "shown", "plain"),
    [
        (1250, "gbp", "£12.50", "12.50"),
        (120000, "gbp", "£1,200.00", "1200.00"),
        (-300, "gbp", "-£3.00", "-3.00"),
        (5, "gbp", "£0.05", "0.05"),
        (1200, "jpy", "¥1,200", "1200"),
        (1250, "kwd", "KWD 1.250", "1.250"),
        (1234567, "bhd", "BHD 1,234.567", "1234.567"),
        (500000, "isk", "ISK 5,000", "5000"),
        # Never hide money: a fractional krónur amount from before 2023 shows its öre.
        (4010, "isk", "ISK 40.10", "40.10"),
        (1234, "chf", "CHF 12.34", "12.34"),
        (1234, "eur", "€12.34", "12.34"),
        (99, "ugx", "UGX 99", "99"),
    ],
)
def test_format_and_decimal_string(amount, currency, shown, plain):
    money = Money(amount, currency)
    assert (money.format(), str(money), money.decimal_string()) == (shown, shown, plain)


@pytest.mark.parametrize("money", [Money(1250, "gbp"), Money(1200, "jpy"), Money(1255, "kwd")])
def test_what_is_shown_parses_back_to_the_same_amount(money):
    assert Money.parse(money.format(), money.currency) == money
    assert Money.parse(money.decimal_string(), money.currency) == money
    assert Money.from_major(money.major, money.currency) == money


def test_from_major_is_exact():
    assert Money.from_major(Decimal("60.00"), "gbp") == Money(6000, "gbp")
    assert Money.from_major(60, "jpy") == Money(60, "jpy")
    with pytest.raises(MoneyError):
        Money.from_major(Decimal("0.001"), "gbp")
    with pytest.raises(MoneyError):
        Money.from_major("lots", "gbp")
    with pytest.raises(MoneyError, match="too large"):
        Money.from_major("1e40", "gbp")


def test_arithmetic_in_one_currency():
    assert Money(1000, "gbp") + Money(250, "GBP") == Money(1250, "gbp")
    assert Money(1000, "gbp") - Money(250, "gbp") == Money(750, "gbp")
    assert Money(250, "gbp") * 3 == 3 * Money(250, "gbp") == Money(750, "gbp")
    assert -Money(5, "gbp") == Money(-5, "gbp")
    assert Money(999, "gbp").percent(50) == Money(499, "gbp")
    assert Money(1, "gbp") < Money(2, "gbp") <= Money(2, "gbp")
    assert max(Money(1, "jpy"), Money(3, "jpy")) == Money(3, "jpy")


@pytest.mark.parametrize(
    "operation",
    [
        lambda: Money(100, "gbp") + Money(100, "usd"),
        lambda: Money(100, "gbp") - Money(100, "eur"),
        lambda: Money(100, "gbp") < Money(100, "jpy"),
        lambda: Money(100, "gbp") >= Money(100, "jpy"),
        lambda: Money(100, "gbp") + 100,
        lambda: Money(100, "gbp") * Decimal("1.5"),
    ],
)
def test_mixing_currencies_or_plain_numbers_raises(operation):
    with pytest.raises(TypeError):
        operation()


def test_currency_mismatch_is_its_own_error():
    with pytest.raises(CurrencyMismatchError, match="GBP with USD"):
        Money(1, "gbp") + Money(1, "usd")
    assert Money(1, "gbp") != Money(1, "usd")


@pytest.mark.parametrize("bad", [12.5, "12", Decimal(12), True, None])
def test_amounts_are_integers(bad):
    with pytest.raises(TypeError):
        Money(bad, "gbp")


@pytest.mark.parametrize("bad", ["", "gb", "gbpp", "12A", None, "£££"])
def test_currency_codes_are_three_letters(bad):
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(1, bad)


def test_money_is_frozen_and_hashable():
    money = Money(1, "GBP")
    assert money.currency == "gbp"
    with pytest.raises(AttributeError):
        money.amount = 2  # type: ignore[misc]
    assert len({Money(1, "gbp"), Money(1, "GBP")}) == 1


def test_currency_exponents():
    assert [get_currency(code).exponent for code in ("GBP", "JPY", "KWD", "ISK", "HUF")] == [
        2,
        0,
        3,
        2,
        2,
    ]
    assert is_zero_decimal("jpy") and is_zero_decimal("UGX") and is_zero_decimal("MGA")
    assert not is_zero_decimal("isk") and not is_zero_decimal("huf")


def test_format_amount_never_raises_for_a_page():
    assert format_amount(6500, "gbp") == "£65.00"
    assert format_amount(None, "gbp") == ""
    assert format_amount(6500, "") == "6500"
    assert format_amount(6500, "pounds") == "6500 pounds"
