"""The announcement form: the message, how it goes, and who gets it. Each audience's own
choices (which plan, which partner) are a sub-form shown under it; only the chosen
audience's sub-form is read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from notifications.announcements.models import Announcement
from notifications.announcements.services import announcement_fields_errors
from notifications.kinds import Channel
from notifications.segments import segments_registered

CHANNEL_CHOICES = [(Channel.IN_APP.value, "In the app"), (Channel.EMAIL.value, "Email")]


class AnnouncementForm(forms.Form):
    title = forms.CharField(max_length=120)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=5000,
        help_text=Announcement._meta.get_field("body").help_text,
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=Announcement.Kind.choices,
        widget=forms.RadioSelect,
        help_text=(
            "News and offers go by email, only to people who switched them on. A policy change "
            "goes to everyone in the audience, in the app and by email."
        ),
    )
    channels = forms.MultipleChoiceField(
        label="Send by", choices=CHANNEL_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    link = forms.CharField(
        required=False, max_length=300, help_text=Announcement._meta.get_field("link").help_text
    )
    segment_key = forms.ChoiceField(label="Audience", widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segments = segments_registered()
        self.fields["segment_key"].choices = [(s.key, s.label) for s in segments]
        data = self.data if self.is_bound else None
        initial_params = self.initial.get("segment_params", {})
        initial_key = self.initial.get("segment_key")
        self.params_forms: dict[str, forms.Form] = {}
        for segment in segments:
            if segment.params_form is None:
                continue
            self.params_forms[segment.key] = segment.params_form(
                data=data,
                prefix=f"segment-{segment.key}",
                initial=initial_params if segment.key == initial_key else None,
            )

    @property
    def audiences(self) -> list[tuple[str, str, forms.Form | None]]:
        return [
            (key, label, self.params_forms.get(key))
            for key, label in self.fields["segment_key"].choices
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for field, message in announcement_fields_errors(
            kind=cleaned.get("kind", ""),
            channels=cleaned.get("channels", []),
            link=cleaned.get("link", ""),
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        key = cleaned.get("segment_key")
        params: dict[str, Any] = {}
        params_form = self.params_forms.get(key) if key else None
        if params_form is not None:
            if not params_form.is_valid():
                raise ValidationError({"segment_key": "Complete the audience's choices below."})
            params = {
                name: getattr(value, "pk", value)
                for name, value in params_form.cleaned_data.items()
                if value not in (None, "")
            }
        cleaned["segment_params"] = params
        return cleaned


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In the admin's time zone.",
    )
