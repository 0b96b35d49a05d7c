"""The notification settings form: the category × channel matrix (one checkbox per cell a
person may change), quiet hours, the daily email digest, and the mobile number with the
consent to texts."""

from __future__ import annotations

import datetime as dt

from django import forms

from notifications.kinds import Channel
from notifications.selectors import PreferenceRow

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]
PHONE_MAX_LENGTH = 32


def preference_field_name(category: str, channel: str) -> str:
    return f"pref_{category}_{channel}"


class NotificationSettingsForm(forms.Form):
    quiet_start = forms.TimeField(
        label="Quiet from",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label="Quiet until",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    email_digest = forms.BooleanField(
        label="Send me one email a day instead of an email for each notification",
        required=False,
        help_text="Bookings changes, reminders and required messages still arrive at once.",
    )
    digest_hour = forms.TypedChoiceField(
        label="Send the daily email at", choices=HOUR_CHOICES, coerce=int, initial=8
    )
    phone_number = forms.CharField(
        label="Mobile number",
        required=False,
        max_length=PHONE_MAX_LENGTH,
        help_text="In international form, starting with + and the country code, e.g. "
        "+44 7700 900123.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    sms_opt_in = forms.BooleanField(
        label="I agree to get text messages from Aeyia",
        required=False,
        help_text="Only the kinds you switch on for text messages above, never marketing. "
        "Untick to stop all texts at any time.",
    )

    def __init__(self, *args, matrix: list[PreferenceRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        # Only cells a person may change become fields: a locked or unavailable cell that
        # arrives in a POST is not a field, so it is ignored rather than trusted.
        self.preference_cells: dict[str, tuple[str, str, bool]] = {}
        for row in matrix:
            for cell in row.cells:
                if not cell.available or cell.locked:
                    continue
                name = preference_field_name(row.category, cell.channel)
                self.fields[name] = forms.BooleanField(
                    label=f"{row.label}: {Channel(cell.channel).label}",
                    required=False,
                    initial=cell.enabled,
                )
                self.preference_cells[name] = (str(row.category), str(cell.channel), cell.enabled)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_start"), cleaned.get("quiet_end")
        if "quiet_start" in cleaned and "quiet_end" in cleaned:
            if (start is None) != (end is None):
                missing = "quiet_end" if end is None else "quiet_start"
                self.add_error(
                    missing, "Give both times for quiet hours, or leave both empty for none."
                )
            elif start is not None and start == end:
                self.add_error("quiet_end", "Quiet hours must end at a different time.")
        if cleaned.get("sms_opt_in") and not (cleaned.get("phone_number") or "").strip():
            self.add_error("phone_number", "Enter your mobile number to get text messages.")
        return cleaned

    def preference_changes(self) -> list[tuple[str, str, bool]]:
        """(category, channel, enabled) for every cell whose box differs from what is
        saved: an unchanged default stays a default instead of becoming a stored choice."""
        changes = []
        for name, (category, channel, enabled) in self.preference_cells.items():
            wanted = bool(self.cleaned_data.get(name))
            if wanted != enabled:
                changes.append((category, channel, wanted))
        return changes

    @property
    def quiet_hours(self) -> tuple[dt.time | None, dt.time | None]:
        return self.cleaned_data.get("quiet_start"), self.cleaned_data.get("quiet_end")
