from django import forms
from django.core.exceptions import ValidationError

from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.services import TITLE_MAX
from marketplace.clients.documents.validation import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_DESCRIPTION,
    max_bytes,
    validate_upload,
)


class DocumentUploadForm(forms.Form):
    """One file with an optional title; a practitioner also chooses who sees it."""

    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    title = forms.CharField(
        label="Title (optional)",
        max_length=TITLE_MAX,
        required=False,
        help_text="Shown in the list instead of the file name.",
    )
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=[
            (ClientDocument.Visibility.PRIVATE, "Only me"),
            (ClientDocument.Visibility.SHARED_WITH_CLIENT, "Me and my client"),
        ],
        initial=ClientDocument.Visibility.PRIVATE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, side: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"{ALLOWED_DESCRIPTION}, up to {max_bytes() // 1_000_000} MB."
        if side != ClientDocument.Side.PRACTITIONER:
            del self.fields["visibility"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            validate_upload(upload)
        except ValidationError as error:
            raise ValidationError(error.messages, code=error.code) from None
        return upload
