from decimal import Decimal, InvalidOperation

from django import forms

from commerce.payments.models import Refund


class RefundForm(forms.Form):
    """Staff refund: leave the amount empty for a full refund."""

    amount = forms.CharField(
        required=False,
        max_length=12,
        help_text="In pounds, e.g. 12.50. Leave empty to refund everything that is left.",
    )
    reason = forms.ChoiceField(choices=Refund.Reason.choices)
    note = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why, for the record (the client does not see this).",
    )

    def clean_amount(self) -> int | None:
        raw = (self.cleaned_data.get("amount") or "").strip().replace(",", "")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation as error:
            raise forms.ValidationError("Enter an amount such as 12.50.") from error
        if value <= 0 or value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError("Enter a positive amount with at most two decimals.")
        return int(value * 100)
