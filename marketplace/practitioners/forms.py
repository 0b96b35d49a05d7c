"""Forms of the onboarding wizard. Uploads are checked by content, not by name: a photo
must open in Pillow as a JPEG, PNG or WebP within the pixel limits; a document must start
with the PDF magic bytes (or be a JPEG/PNG image, for scanned insurance certificates)."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_countries import countries
from PIL import Image, UnidentifiedImageError

from marketplace.practitioners.identity import (
    DOCUMENT_NUMBER_HELP,
    DOCUMENT_NUMBER_INPUT_MAX_LENGTH,
    MAXIMUM_AGE,
    MINIMUM_AGE,
    date_of_birth_check,
    document_number_normalise,
    years_before,
)
from marketplace.practitioners.models import Credential, IdentityDocumentType, Modality

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_MIN_SIDE = 200
PHOTO_MAX_SIDE = 6000
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
DOCUMENT_IMAGE_FORMATS = {"JPEG", "PNG"}


def country_choices() -> list[tuple[str, str]]:
    return [("", "Choose a country"), *((code, name) for code, name in countries)]


class CountryChoiceField(forms.ChoiceField):
    """A country by its ISO 3166-1 alpha-2 code, in either case."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


def _image_format(upload) -> str | None:
    """The Pillow format of an upload after a full decode, or None if it is not one."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            size = image.size
            image.verify()
        # verify() leaves the image unusable; a second open decodes the pixels, which
        # catches truncated files verify() lets through.
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    upload.image_size = size
    return image_format


def validate_photo(upload) -> None:
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError("The photo must be 5 MB or smaller.", code="too_large")
    image_format = _image_format(upload)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError("Upload a JPEG, PNG or WebP photo.", code="not_an_image")
    width, height = upload.image_size
    if min(width, height) < PHOTO_MIN_SIDE:
        raise ValidationError(
            f"The photo must be at least {PHOTO_MIN_SIDE} pixels wide and high.", code="too_small"
        )
    if max(width, height) > PHOTO_MAX_SIDE:
        raise ValidationError(
            f"The photo must be at most {PHOTO_MAX_SIDE} pixels wide and high.", code="too_big"
        )


def validate_document(upload) -> None:
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError("The document must be 10 MB or smaller.", code="too_large")
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        upload.document_type = "pdf"
        return
    if _image_format(upload) in DOCUMENT_IMAGE_FORMATS:
        upload.document_type = "image"
        return
    raise ValidationError("Upload the document as a PDF, JPEG or PNG.", code="not_a_document")


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Name clients see", max_length=120, help_text="e.g. Priya Patel"
    )
    photo = forms.FileField(
        label="Profile photo",
        required=False,
        help_text="A JPEG, PNG or WebP of your face, at least 200 × 200 pixels, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    bio = forms.CharField(
        label="Bio",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="How you work and who you help. Shown on your public profile.",
    )
    languages = forms.CharField(
        label="Languages",
        max_length=200,
        help_text="Separate them with commas, e.g. English, Hindi.",
    )
    modalities = forms.ModelMultipleChoiceField(
        label="Modalities",
        queryset=Modality.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="The kinds of practice you offer.",
    )
    offers_online = forms.BooleanField(label="I offer sessions online", required=False)
    offers_in_person = forms.BooleanField(label="I offer sessions in person", required=False)
    location = forms.CharField(
        label="Where you see clients in person",
        max_length=255,
        required=False,
        help_text="Street address or area, e.g. 12 High Street, Bristol.",
    )

    def __init__(self, *args, has_photo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_photo = has_photo
        if has_photo:
            self.fields["photo"].help_text = (
                "You have a photo. Choose a file only to replace it. "
                + self.fields["photo"].help_text
            )
            self.fields["photo"].widget = forms.FileInput(attrs=self.fields["photo"].widget.attrs)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_photo(photo)
        return photo or None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("offers_online") and not cleaned.get("offers_in_person"):
            self.add_error("offers_online", "Choose online, in person or both.")
        if cleaned.get("offers_in_person") and not (cleaned.get("location") or "").strip():
            self.add_error("location", "Give the location of your in-person sessions.")
        return cleaned


class CredentialForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=Credential.Kind.choices)
    title = forms.CharField(
        label="Title",
        max_length=160,
        help_text="e.g. Registered psychotherapist, or Public liability.",
    )
    issuer = forms.CharField(
        label="Issued by", max_length=160, help_text="e.g. UKCP, or your insurer."
    )
    # Required or not by the type chosen (clean() below, Credential.EXPIRING_KINDS): the
    # label says for which, instead of "(optional)".
    number = forms.CharField(
        label="Licence, membership or policy number",
        max_length=64,
        required=False,
        help_text="Your registration number for a licence; optional for a qualification "
        "or insurance.",
    )
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For a licence and for insurance; leave it empty for a qualification "
        "that does not expire.",
    )
    document = forms.FileField(
        label="Document",
        required=False,
        help_text="A PDF (or a JPEG or PNG scan), up to 10 MB. Required for insurance. "
        "Only you and Aeyia staff can open it.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, has_document: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_document = has_document
        # What the field's label says in place of "(optional)" (includes/form_field.html),
        # and which types make it required (credential-form.js updates the label).
        required_for = {
            "number": ((Credential.Kind.LICENCE,), "required for a licence or registration"),
            "expires_on": (Credential.EXPIRING_KINDS, "required for a licence or insurance"),
            "document": ((Credential.Kind.INSURANCE,), "required for insurance"),
        }
        if has_document:
            del required_for["document"]
        for name, (kinds, note) in required_for.items():
            self.fields[name].required_note = note
            self.fields[name].widget.attrs["data-required-for"] = " ".join(kinds)

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            validate_document(document)
        return document or None

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        expires_on: date | None = cleaned.get("expires_on")
        if kind in Credential.EXPIRING_KINDS:
            if expires_on is None and "expires_on" not in self.errors:
                self.add_error("expires_on", "Give the expiry date.")
            if kind == Credential.Kind.LICENCE and not (cleaned.get("number") or "").strip():
                self.add_error("number", "Give the licence or registration number.")
        if expires_on is not None and expires_on <= timezone.localdate():
            self.add_error("expires_on", "The expiry date must be in the future.")
        if (
            kind == Credential.Kind.INSURANCE
            and not cleaned.get("document")
            and not self.has_document
            and "document" not in self.errors
        ):
            self.add_error("document", "Upload your insurance certificate.")
        return cleaned


class IdentityForm(forms.Form):
    """The identity step. The rules are identity.py's, which the service applies again."""

    legal_given_name = forms.CharField(label="Given name(s) on your document", max_length=120)
    legal_family_name = forms.CharField(label="Family name on your document", max_length=120)
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"You must be {MINIMUM_AGE} or older to practise on Aeyia.",
    )
    # Stored as the ISO 3166-1 alpha-2 code, which is what the KYC provider expects;
    # people choose from the names.
    country = CountryChoiceField(
        label="Country that issued the document",
        choices=country_choices,
        error_messages={"invalid_choice": "Choose the country from the list."},
    )
    identity_document_type = forms.ChoiceField(
        label="Kind of document",
        choices=IdentityDocumentType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of document.",
            "invalid_choice": "Choose the kind of document from the list.",
        },
    )
    identity_document_number = forms.CharField(
        label="Document number",
        max_length=DOCUMENT_NUMBER_INPUT_MAX_LENGTH,
        help_text=DOCUMENT_NUMBER_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        latest = years_before(today, MINIMUM_AGE)
        self.fields["date_of_birth"].widget.attrs.update(
            min=date(today.year - MAXIMUM_AGE, 1, 1).isoformat(), max=latest.isoformat()
        )

    def clean_date_of_birth(self):
        return date_of_birth_check(self.cleaned_data["date_of_birth"], today=timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        document_type = cleaned.get("identity_document_type")
        number = cleaned.get("identity_document_number")
        if document_type and number is not None:
            try:
                cleaned["identity_document_number"] = document_number_normalise(
                    number, document_type=document_type
                )
            except ValidationError as error:
                self.add_error("identity_document_number", error)
        return cleaned


class ReasonForm(forms.Form):
    """A staff decision's reason (required or not, by the view)."""

    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
