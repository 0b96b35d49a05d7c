"""Forms for the partner pages. They only shape input; the services decide."""

from datetime import UTC, date, datetime, time, timedelta

from django import forms


class VoucherRedeemForm(forms.Form):
    code = forms.CharField(
        label="Voucher code",
        max_length=64,
        help_text="As printed, for example K7QM-XR4T-2HWN. Capitals and spaces don't matter.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class ReportPeriodForm(forms.Form):
    """An optional period, inclusive of both days, in UTC."""

    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if end and end >= date.max:
            self.add_error("end", "Choose an earlier date.")
        if start and end and end < start:
            raise forms.ValidationError("The period must end on or after its first day.")
        return cleaned

    def period(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) as aware datetimes; the end day is included."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        return (
            datetime.combine(start, time.min, tzinfo=UTC) if start else None,
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None,
        )
