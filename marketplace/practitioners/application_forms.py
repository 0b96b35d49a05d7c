"""Forms for applying to practise and for staff invitations (decision 0027)."""

from django import forms

from marketplace.practitioners.models import Modality, PractitionerApplication
from marketplace.practitioners.services.applications import DISPLAY_NAME_MAX_LENGTH


class ApplicationForm(forms.Form):
    display_name = forms.CharField(
        label="Name clients will see",
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="Usually your own name, e.g. Priya Patel.",
    )
    modalities = forms.ModelMultipleChoiceField(
        label="What you practise",
        queryset=Modality.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every kind of practice you offer.",
        error_messages={"required": "Choose at least one modality."},
    )
    offers_online = forms.BooleanField(label="I offer sessions online", required=False)
    offers_in_person = forms.BooleanField(label="I offer sessions in person", required=False)
    location = forms.CharField(
        label="Where you see clients in person",
        max_length=255,
        required=False,
        help_text="Town or area is enough for now, e.g. Bristol.",
    )
    statement = forms.CharField(
        label="About your practice",
        max_length=PractitionerApplication.STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"A few sentences on how you work and who you help, up to "
        f"{PractitionerApplication.STATEMENT_MAX_LENGTH} characters. It becomes the first "
        "draft of your public bio.",
        error_messages={"required": "Tell us briefly about your practice."},
    )
    accepts_terms = forms.BooleanField(
        label="I accept the practitioner terms and agree to Aeyia checking my identity, "
        "qualifications and insurance",
        error_messages={"required": "Accept the practitioner terms to apply."},
    )

    def clean_statement(self):
        return self.cleaned_data["statement"].strip()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("offers_online") and not cleaned.get("offers_in_person"):
            self.add_error("offers_online", "Choose online, in person or both.")
        if cleaned.get("offers_in_person") and not (cleaned.get("location") or "").strip():
            self.add_error("location", "Give the location of your in-person sessions.")
        return cleaned

    def to_session(self) -> dict:
        """What an anonymous visitor typed, kept in their session while they sign up."""
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "modalities": [modality.pk for modality in data["modalities"]],
            "offers_online": data["offers_online"],
            "offers_in_person": data["offers_in_person"],
            "location": data["location"],
            "statement": data["statement"],
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email")
    name = forms.CharField(label="Name", max_length=120, required=False)
    modalities = forms.ModelMultipleChoiceField(
        label="Modalities to pre-select",
        queryset=Modality.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label="Note to include",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
