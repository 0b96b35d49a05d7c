from django import forms

from marketplace.clients.notes.models import SOAP_FIELDS, SOAP_LABELS, SessionNote
from marketplace.clients.notes.services import FIELD_MAX_LENGTH

_TEXTAREA = {"rows": 6}


class NoteContentForm(forms.Form):
    """The text of a note: `text` for a free-form note, the four SOAP fields otherwise."""

    text = forms.CharField(
        label="Note",
        required=False,
        max_length=FIELD_MAX_LENGTH,
        widget=forms.Textarea(attrs=_TEXTAREA),
        strip=True,
    )
    subjective = forms.CharField(
        label=SOAP_LABELS["subjective"],
        help_text="What the client reports.",
        required=False,
        max_length=FIELD_MAX_LENGTH,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    objective = forms.CharField(
        label=SOAP_LABELS["objective"],
        help_text="What you observed or measured.",
        required=False,
        max_length=FIELD_MAX_LENGTH,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    assessment = forms.CharField(
        label=SOAP_LABELS["assessment"],
        help_text="Your assessment.",
        required=False,
        max_length=FIELD_MAX_LENGTH,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    plan = forms.CharField(
        label=SOAP_LABELS["plan"],
        help_text="What happens next.",
        required=False,
        max_length=FIELD_MAX_LENGTH,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )

    def __init__(self, *args, note_format: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.note_format = note_format
        if note_format == SessionNote.Format.SOAP:
            del self.fields["text"]
        elif note_format == SessionNote.Format.FREE:
            for name in SOAP_FIELDS:
                del self.fields[name]

    def content(self) -> dict:
        names = SOAP_FIELDS if self.note_format == SessionNote.Format.SOAP else ("text",)
        return {name: self.cleaned_data.get(name, "") for name in names}


class NoteCreateForm(NoteContentForm):
    booking = forms.TypedChoiceField(label="Session", coerce=int, choices=())
    format = forms.ChoiceField(
        label="Template",
        choices=SessionNote.Format.choices,
        initial=SessionNote.Format.FREE,
        widget=forms.RadioSelect,
        help_text="A free-form note, or SOAP (subjective, objective, assessment, plan). "
        "Fill in the fields for the template you choose.",
    )

    field_order = ["booking", "format", "text", *SOAP_FIELDS]

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booking"].choices = [
            (ref.booking_id, f"{ref.label} — {ref.starts_at:%d %b %Y %H:%M} UTC")
            for ref in sessions
        ]

    def content(self) -> dict:
        self.note_format = self.cleaned_data.get("format")
        return super().content()


class AddendumForm(forms.Form):
    body = forms.CharField(
        label="Addendum",
        max_length=FIELD_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Signed as you save it; it cannot be changed afterwards.",
    )
