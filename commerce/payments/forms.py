from typing import cast

from django import forms

from commerce.payments.models import Payment, Refund
from money import Money
from money.forms import MoneyField


class RefundForm(forms.Form):
    """Staff refund in the payment's own currency and units (12.50 for £12.50); leave
    the amount empty to refund everything that is left."""

    amount = MoneyField(required=False, allow_zero=False)
    reason = forms.ChoiceField(choices=Refund.Reason.choices)
    note = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why, for the record (the client does not see this).",
    )

    def __init__(self, *args, payment: Payment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        refundable = Money(max(payment.refundable_amount, 0), payment.currency)
        amount = cast(MoneyField, self.fields["amount"])
        amount.currency = payment.currency
        amount.max_amount = refundable.amount
        amount.label = f"Amount ({refundable.spec.code})"
        amount.help_text = (
            f"In {refundable.spec.code}, e.g. {refundable.decimal_string()}: at most "
            f"{refundable}. Leave empty to refund everything that is left."
        )
