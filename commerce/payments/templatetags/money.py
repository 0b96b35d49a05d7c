"""`{{ amount|money:currency }}`: integer minor units shown as money."""

from django import template

register = template.Library()

_SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$", "aud": "A$", "cad": "C$"}
# ISO 4217 currencies without minor units.
_ZERO_DECIMAL = {"jpy", "krw", "vnd", "clp", "isk", "huf"}


@register.filter
def money(amount, currency="gbp") -> str:
    if amount is None or amount == "":
        return ""
    currency = (currency or "gbp").lower()
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if currency in _ZERO_DECIMAL:
        number = f"{amount:,}"
    else:
        number = f"{amount // 100:,}.{amount % 100:02d}"
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"
