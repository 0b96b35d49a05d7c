import datetime as dt

from django import forms
from django.utils import timezone

from marketplace.clients.sharing.services import MAX_GRANT_DAYS, PURPOSE_MAX_LENGTH


class GrantForm(forms.Form):
    grantee = forms.SlugField(
        label="Practitioner to share with",
        max_length=80,
        help_text="The last part of their profile address on Aeyia, e.g. "
        "“jane-doe” for /practitioners/jane-doe/.",
    )
    items = forms.MultipleChoiceField(
        label="What to share",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one item to share."},
    )
    expires_on = forms.DateField(
        label="Share until",
        help_text=f"Access ends at the end of this day (UTC), at most {MAX_GRANT_DAYS} days "
        "from today. You can stop sharing earlier at any time.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    purpose = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=PURPOSE_MAX_LENGTH,
        help_text="For example: a referral, or a second opinion.",
    )

    def __init__(self, *args, item_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = list(item_choices)
        today = timezone.now().date()
        self.fields["expires_on"].widget.attrs.update(
            {
                "min": (today + dt.timedelta(days=1)).isoformat(),
                "max": (today + dt.timedelta(days=MAX_GRANT_DAYS - 1)).isoformat(),
            }
        )
        if not self.is_bound:
            self.initial.setdefault("expires_on", today + dt.timedelta(days=30))

    def expires_at(self) -> dt.datetime:
        day = self.cleaned_data["expires_on"]
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.now().date()
        if day < today + dt.timedelta(days=1):
            raise forms.ValidationError("Choose a day after today.")
        if day > today + dt.timedelta(days=MAX_GRANT_DAYS - 1):
            raise forms.ValidationError(f"Choose a day within {MAX_GRANT_DAYS} days.")
        return day
