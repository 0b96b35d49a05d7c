"""{% load credit_counts %} … {{ item.credit_price|credits }} → "1 credit" / "4 credits"."""

from django import template

from commerce.credits.wording import credit_count

register = template.Library()


@register.filter(name="credits")
def credits_filter(amount) -> str:
    """A count of credits with its noun; anything that is not a whole number is shown as
    it is (a template never fails on it)."""
    try:
        number = int(amount)
    except (TypeError, ValueError):
        return "" if amount is None else str(amount)
    return credit_count(number)
