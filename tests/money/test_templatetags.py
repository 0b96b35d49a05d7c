"""`|money`: the one template filter for money."""

from django.template import Context, Template

from money import Money


def render(source: str, **context) -> str:
    return Template("{% load money %}" + source).render(Context(context))


def test_minor_units_with_a_currency():
    assert render("{{ amount|money:currency }}", amount=6500, currency="gbp") == "£65.00"
    assert render("{{ amount|money:'JPY' }}", amount=1200) == "¥1,200"
    assert render("{{ amount|money:'kwd' }}", amount=1250) == "KWD 1.250"


def test_a_money_value():
    assert render("{{ price|money }}", price=Money(1250, "eur")) == "€12.50"


def test_the_platform_currency_by_default(settings):
    settings.COMMERCE_CURRENCY = "usd"
    assert render("{{ amount|money }}", amount=999) == "$9.99"


def test_nothing_for_no_value_or_a_bad_one():
    assert render("{{ amount|money:'gbp' }}", amount=None) == ""
    assert render("{{ amount|money:'gbp' }}", amount="") == ""
    assert render("{{ amount|money:'gbp' }}", amount="lots") == ""
    assert render("{{ amount|money:'pounds' }}", amount=100) == ""
