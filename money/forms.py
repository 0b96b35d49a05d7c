"""`MoneyField`: an amount typed in major units ("12.50") for one currency, cleaned to a
`Money`. Its messages speak the units people typed ("At most £55.00.")."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ImproperlyConfigured

from money.currencies import get_currency
from money.values import Money, MoneyError


class MoneyField(forms.Field):
    """Set `currency` when building the field or before the form is validated (for
    example from the object being edited). Empty input cleans to None when the field is
    not required. Initial values may be Money or integer minor units."""

    widget = forms.TextInput

    def __init__(
        self,
        *,
        currency: str | None = None,
        min_amount: int | None = None,
        max_amount: int | None = None,
        allow_zero: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.currency = currency
        self.min_amount = min_amount
        self.max_amount = max_amount
        self.allow_zero = allow_zero

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": "24"})
        return attrs

    def _require_currency(self) -> str:
        if not self.currency:
            raise ImproperlyConfigured("MoneyField needs a currency before it can clean.")
        return self.currency

    def to_python(self, value: Any) -> Money | None:
        if isinstance(value, Money):
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if len(text) > 24:
            raise forms.ValidationError("That amount is too long.", code="too_long")
        try:
            return Money.parse(text, self._require_currency())
        except MoneyError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def validate(self, value: Money | None) -> None:
        super().validate(value)
        if value is None:
            return
        currency = self._require_currency()
        if value.currency != Money.zero(currency).currency:
            raise forms.ValidationError("Enter the amount in this currency.", code="currency")
        if not self.allow_zero and value.amount <= 0:
            raise forms.ValidationError(
                f"Enter an amount above {Money.zero(currency)}.", code="min_value"
            )
        if self.min_amount is not None and value.amount < self.min_amount:
            raise forms.ValidationError(
                f"At least {Money(self.min_amount, currency)}.", code="min_value"
            )
        if self.max_amount is not None and value.amount > self.max_amount:
            raise forms.ValidationError(
                f"At most {Money(self.max_amount, currency)}.", code="max_value"
            )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Money):
            return value.decimal_string()
        if isinstance(value, int) and not isinstance(value, bool) and self.currency:
            return Money(value, self.currency).decimal_string()
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(self.prepare_value(initial))
        except forms.ValidationError:
            return True


class MoneyModelFormMixin:
    """For model forms that edit integer minor-unit fields beside a currency field:
    declare each as a MoneyField and map it to its currency field in `money_fields`.
    Amounts are shown and typed in major units of the currency on the form (or else the
    object's, or `default_currency`) and saved as minor units."""

    money_fields: ClassVar[dict[str, str]] = {}
    default_currency: ClassVar[str] = "gbp"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, currency_field in self.money_fields.items():
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if isinstance(field, MoneyField):
                field.currency = self._currency_for(currency_field)

    def _currency_for(self, currency_field: str) -> str:
        candidates = []
        if self.is_bound and currency_field in self.fields:  # type: ignore[attr-defined]
            candidates.append(self.data.get(self.add_prefix(currency_field)))  # type: ignore[attr-defined]
        candidates += [getattr(self.instance, currency_field, None), self.default_currency]  # type: ignore[attr-defined]
        for candidate in candidates:
            if isinstance(candidate, str) and _is_currency(candidate.strip()):
                return candidate.strip().lower()
        return self.default_currency

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        for name, currency_field in self.money_fields.items():
            currency = cleaned.get(currency_field)
            if isinstance(currency, str) and not _is_currency(currency.strip()):
                self.add_error(  # type: ignore[attr-defined]
                    currency_field, "Enter a three-letter ISO 4217 code, such as GBP."
                )
            value = cleaned.get(name)
            if isinstance(value, Money):
                cleaned[name] = value.amount
        return cleaned


def _is_currency(code: str) -> bool:
    try:
        get_currency(code)
    except ValueError:
        return False
    return True
