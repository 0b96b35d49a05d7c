from django import forms

from marketplace.clients.messaging.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your message", max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachment = forms.FileField(
        label="Attach a file",
        required=False,
        help_text="Optional. PDF, image or Office document; it is also kept in Documents.",
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write a message.")
        return body


class ThreadForm(ReplyForm):
    subject = forms.CharField(label="Subject", max_length=SUBJECT_MAX_LENGTH)
    field_order = ["subject", "body", "attachment"]

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"].strip()
        if not subject:
            raise forms.ValidationError("Write a subject.")
        return subject
