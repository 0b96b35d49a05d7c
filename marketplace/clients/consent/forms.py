from django import forms

from marketplace.clients.consent.services import TYPED_NAME_MAX


class ConsentSignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    agree = forms.BooleanField(
        label="I have read this document and I agree to it.",
        error_messages={"required": "Tick the box to confirm you have read and agree."},
    )
    typed_name = forms.CharField(
        label="Your full name",
        max_length=TYPED_NAME_MAX,
        help_text="Type your full name as it appears on your account. This is your signature.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
