"""Forms of the lead flow. The consent text a form shows travels with the form as a
signed token, so what we store is exactly what the person saw and cannot be edited in
the browser."""

from __future__ import annotations

import secrets

from django import forms
from django.core import signing, validators

FORM_TOKEN_SALT = "leads.form-token"  # noqa: S105 (a signing salt, not a secret)
HONEYPOT_FIELD = "website"
SUBMISSION_TOKEN_FIELD = "submission_token"  # noqa: S105 (a field name)
SUBMISSION_TOKEN_SALT = "leads.submission-token"  # noqa: S105 (a signing salt)
SUBMISSION_TOKEN_MAX_AGE = 2 * 24 * 3600
# The longest message a form page takes, and the longest one-line answer.
MESSAGE_MAX_LENGTH = 5000
LINE_MAX_LENGTH = 255


def form_token_for(*, consent_text: str, interest: str, button_label: str, heading: str) -> str:
    """A signed token carrying what the form showed. No timestamp, so the same block
    renders the same token and a page cached for weeks still posts a valid form."""
    return signing.Signer(salt=FORM_TOKEN_SALT).sign_object(
        {"c": consent_text, "i": interest, "b": button_label, "h": heading}, compress=True
    )


def form_token_read(token: str) -> dict | None:
    try:
        data = signing.Signer(salt=FORM_TOKEN_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or not data["c"]:
        return None
    return {
        "consent_text": data["c"],
        "interest": str(data.get("i") or "")[:80],
        "button_label": str(data.get("b") or "Sign up")[:40],
        "heading": str(data.get("h") or "")[:120],
    }


class HoneypotWidget(forms.TextInput):
    def __init__(self):
        super().__init__(attrs={"autocomplete": "off", "tabindex": "-1"})


def honeypot_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=HoneypotWidget(),
        max_length=200,
    )


class LeadForm(forms.Form):
    """The lead form block's fields. `consent_text` sets the checkbox label."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    name = forms.CharField(
        label="Your name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        error_messages={"required": "Tick the box to agree, or we cannot email you."},
    )
    website = honeypot_field()
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=4000)
    source_page = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)

    def __init__(self, *args, consent_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text or "I agree to receive emails from Aeyia."
        self.form_meta: dict | None = None

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, ""))

    def clean_form_token(self) -> str:
        token = self.cleaned_data["form_token"]
        meta = form_token_read(token)
        if meta is None:
            raise forms.ValidationError(
                "This form is out of date. Reload the page and try again.", code="bad_token"
            )
        self.form_meta = meta
        return token

    def clean_source_page(self) -> str:
        path = self.cleaned_data.get("source_page") or ""
        # Only our own paths: this value is shown to staff and used in reports.
        return path if path.startswith("/") and not path.startswith("//") else ""


class LeadApiInput(forms.Form):
    """POST /api/v1/leads/: the same checks as the page form, with the consent text sent
    explicitly (apps show their own)."""

    email = LeadForm.base_fields["email"]
    name = forms.CharField(required=False, max_length=200)
    consent = forms.BooleanField(
        error_messages={"required": "Consent must be true: we only store leads who agreed."}
    )
    consent_text = forms.CharField(max_length=2000)
    interest = forms.CharField(required=False, max_length=80)
    source_page = forms.CharField(required=False, max_length=255)
    website = honeypot_field()
    utm_source = forms.CharField(required=False, max_length=120)
    utm_medium = forms.CharField(required=False, max_length=120)
    utm_campaign = forms.CharField(required=False, max_length=120)
    utm_term = forms.CharField(required=False, max_length=120)
    utm_content = forms.CharField(required=False, max_length=120)
    referrer = forms.CharField(required=False, max_length=500)


def submission_token_new() -> str:
    """A signed, random token for one rendering of a form page: the same token posted
    twice (a double click, a re-sent request) is one message."""
    return signing.TimestampSigner(salt=SUBMISSION_TOKEN_SALT).sign(secrets.token_urlsafe(18))


def submission_token_valid(token: str) -> bool:
    try:
        signing.TimestampSigner(salt=SUBMISSION_TOKEN_SALT).unsign(
            token, max_age=SUBMISSION_TOKEN_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return True


def _bound_length(field: forms.Field) -> None:
    """Editors' text fields get a length limit: a message up to MESSAGE_MAX_LENGTH (its
    counter is contact-form.js; no maxlength attribute, which would cut a paste short
    without a word), a one-line answer up to LINE_MAX_LENGTH."""
    if not isinstance(field, forms.CharField) or isinstance(field, forms.EmailField):
        return
    is_message = isinstance(field.widget, forms.Textarea)
    limit = MESSAGE_MAX_LENGTH if is_message else LINE_MAX_LENGTH
    if field.max_length is None or field.max_length > limit:
        field.max_length = limit
        field.validators.append(validators.MaxLengthValidator(limit))
    field.error_messages["max_length"] = (
        f"Keep this to {limit:,} characters or fewer (it has %(show_value)s)."
    )
    if is_message:
        field.widget.attrs["data-max-length"] = str(limit)
        field.widget.attrs.pop("maxlength", None)
        note = f"Up to {limit:,} characters."
        field.help_text = f"{field.help_text} {note}".strip() if field.help_text else note


def form_class_with_consent(base_class, *, consent_text: str):
    """The editor-built Wagtail form plus an optional marketing consent box (the text
    shown is stored with the lead), the honeypot, length limits on text, and a one-time
    submission token."""

    class LeadFormPageForm(base_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                _bound_length(field)
            self.fields["consent"] = forms.BooleanField(required=False, label=consent_text)
            self.fields[HONEYPOT_FIELD] = honeypot_field()
            self.fields[SUBMISSION_TOKEN_FIELD] = forms.CharField(
                widget=forms.HiddenInput,
                max_length=200,
                initial=submission_token_new,
                error_messages={
                    "required": "This form is out of date. Reload the page and try again."
                },
            )

        def clean_submission_token(self) -> str:
            token = self.cleaned_data[SUBMISSION_TOKEN_FIELD]
            if not submission_token_valid(token):
                raise forms.ValidationError(
                    "This form is out of date. Reload the page and try again.",
                    code="bad_token",
                )
            return token

        @property
        def is_spam(self) -> bool:
            return bool(self.data.get(HONEYPOT_FIELD, ""))

        def clean(self):
            cleaned = super().clean()
            # The honeypot is not worth storing with the submission.
            cleaned.pop(HONEYPOT_FIELD, None)
            # Kept on the form (the view claims it), not stored with the submission.
            self.submission_token = cleaned.pop(SUBMISSION_TOKEN_FIELD, None)
            return cleaned

    return LeadFormPageForm
