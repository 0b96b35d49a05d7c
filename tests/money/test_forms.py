"""MoneyField: typed in major units, cleaned to Money, messages in the same units."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

from money import Money
from money.forms import MoneyField


class PriceForm(forms.Form):
    price = MoneyField(currency="gbp", min_amount=100, max_amount=5500)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("60", "At most £55.00."),
        ("0.99", "At least £1.00."),
        ("12.345", "GBP amounts have at most two decimals."),
        ("lots", "Enter an amount such as £12.50."),
        ("-1", "Enter an amount that is not negative."),
        ("", "This field is required."),
        ("9" * 30, "That amount is too long."),
    ],
)
def test_errors_speak_the_units_typed(typed, error):
    form = PriceForm({"price": typed})
    assert not form.is_valid()
    assert form.errors["price"] == [error]


def test_a_valid_amount_cleans_to_money():
    form = PriceForm({"price": "£55"})
    assert form.is_valid()
    assert form.cleaned_data["price"] == Money(5500, "gbp")


def test_initial_minor_units_show_in_major_units():
    form = PriceForm(initial={"price": 1250})
    assert 'value="12.50"' in str(form["price"])
    assert 'inputmode="decimal"' in str(form["price"])
    assert not PriceForm({"price": "12.5"}, initial={"price": 1250}).has_changed()


def test_zero_decimal_currency_field():
    field = MoneyField(currency="jpy", allow_zero=False)
    assert field.clean("¥1,200") == Money(1200, "jpy")
    with pytest.raises(forms.ValidationError, match="whole numbers"):
        field.clean("1200.5")
    with pytest.raises(forms.ValidationError, match="above ¥0"):
        field.clean("0")


def test_a_field_without_a_currency_is_a_programming_error():
    with pytest.raises(ImproperlyConfigured):
        MoneyField().clean("12")
