"""Wagtail admin pieces that show stored amounts as money ("£65.00", not "6500" beside
"gbp"): a list column and an inspect-view mixin."""

from __future__ import annotations

from typing import Any, ClassVar

from wagtail.admin.ui.tables import Column

from money.values import format_amount


def _shown(instance: Any, name: str, currency_field: str) -> str:
    return format_amount(getattr(instance, name), getattr(instance, currency_field))


def money_column(
    name: str = "amount", *, label: str | None = None, currency_field: str = "currency"
) -> Column:
    """A list column for an integer minor-unit field, sorted by the stored amount."""
    return Column(
        name,
        label=label,
        accessor=lambda instance: _shown(instance, name, currency_field),
        sort_key=name,
        classname="money",
    )


class MoneyInspectMixin:
    """For a Wagtail InspectView: the fields named in `money_fields` show as money in
    the object's `currency_field`."""

    money_fields: ClassVar[tuple[str, ...]] = ()
    currency_field: ClassVar[str] = "currency"
    object: Any

    def get_field_display_value(self, field_name: str, field: Any) -> Any:
        if field_name in self.money_fields:
            return _shown(self.object, field_name, self.currency_field)
        return super().get_field_display_value(field_name, field)  # type: ignore[misc]
