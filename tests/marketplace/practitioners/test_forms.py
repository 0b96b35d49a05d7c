"""The onboarding forms' rules (marketplace.practitioners.forms): the identity form takes a
country from the ISO 3166 list by name and keeps its code, a date of birth of someone 18 or
older (not in the future, not more than 120 years ago), a document type and a document
number in that type's format (identity.py); the credential form says for which types a field is
required, as its validation enforces."""

import datetime as dt

import pytest
from django.utils import timezone

from marketplace.practitioners.forms import CredentialForm, IdentityForm
from marketplace.practitioners.identity import age_on, years_before


def identity(**overrides) -> dict:
    data = {
        "legal_given_name": "Nia",
        "legal_family_name": "New",
        "date_of_birth": "1990-05-17",
        "country": "GB",
        "identity_document_type": "passport",
        "identity_document_number": "P7654321",
    }
    data.update(overrides)
    return data


def errors_of(form, field: str) -> list[str]:
    assert not form.is_valid()
    return form.errors[field]


# --- country ---------------------------------------------------------------------------


def test_the_country_is_chosen_by_name_and_stored_as_its_code():
    form = IdentityForm()
    choices = dict(form.fields["country"].choices)

    assert choices["GB"] == "United Kingdom"
    assert choices["IN"] == "India"
    assert choices[""] == "Choose a country"
    html = str(form["country"])
    assert html.startswith("<select")
    assert '<option value="GB">United Kingdom</option>' in html
    assert "maxlength" not in html

    bound = IdentityForm(identity(country="GB"))
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["country"] == "GB"


def test_a_lower_case_code_is_accepted_as_the_code():
    form = IdentityForm(identity(country="ie"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["country"] == "IE"


@pytest.mark.parametrize("country", ["United Kingdom", "UN", "XX", "G1", "GBR", ""])
def test_anything_but_a_listed_country_is_refused(country):
    form = IdentityForm(identity(country=country))

    message = "This field is required." if not country else "Choose the country from the list."
    assert errors_of(form, "country") == [message]


# --- date of birth ---------------------------------------------------------------------


def test_an_eleven_year_old_is_refused_with_a_clear_error():
    today = timezone.localdate()
    form = IdentityForm(identity(date_of_birth=years_before(today, 11).isoformat()))

    assert errors_of(form, "date_of_birth") == [
        "You must be at least 18 years old to practise on Aeyia."
    ]


def test_someone_who_turns_eighteen_today_is_accepted_and_tomorrow_is_not():
    today = timezone.localdate()
    eighteen_today = years_before(today, 18)

    assert IdentityForm(identity(date_of_birth=eighteen_today.isoformat())).is_valid()
    too_young = IdentityForm(
        identity(date_of_birth=(eighteen_today + dt.timedelta(days=1)).isoformat())
    )
    assert "You must be at least 18" in errors_of(too_young, "date_of_birth")[0]


@pytest.mark.parametrize(
    ("days_from_today", "message"),
    [
        (0, "The date of birth must be in the past."),
        (1, "The date of birth must be in the past."),
        (365 * 30, "The date of birth must be in the past."),
    ],
)
def test_a_date_of_birth_in_the_future_is_refused(days_from_today, message):
    born = timezone.localdate() + dt.timedelta(days=days_from_today)
    form = IdentityForm(identity(date_of_birth=born.isoformat()))

    assert errors_of(form, "date_of_birth") == [message]


def test_an_absurdly_old_date_of_birth_is_refused():
    form = IdentityForm(identity(date_of_birth="1850-01-01"))

    assert errors_of(form, "date_of_birth") == [
        "Check the year of birth: it is more than 120 years ago."
    ]


def test_the_date_picker_is_bounded_to_adults():
    today = timezone.localdate()
    attrs = IdentityForm().fields["date_of_birth"].widget.attrs

    assert attrs["max"] == years_before(today, 18).isoformat()
    assert attrs["min"] == f"{today.year - 120}-01-01"


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (dt.date(2000, 2, 29), dt.date(2018, 2, 28), 17),
        (dt.date(2000, 2, 29), dt.date(2018, 3, 1), 18),
        (dt.date(1990, 5, 17), dt.date(2026, 5, 16), 35),
        (dt.date(1990, 5, 17), dt.date(2026, 5, 17), 36),
    ],
)
def test_age_counts_whole_years(born, today, age):
    assert age_on(born, today) == age


# --- document type and number ---------------------------------------------------------

PASSPORT = "A passport number is 6 to 9 letters and digits."
LICENCE = "A driving licence number is 5 to 20 letters and digits."
NATIONAL_ID = "A national ID number is 5 to 20 letters and digits, with hyphens only between them."


def test_the_document_type_is_one_of_three_radio_buttons():
    form = IdentityForm()
    assert dict(form.fields["identity_document_type"].choices) == {
        "passport": "Passport",
        "driving_licence": "Driving licence",
        "national_id": "National identity card",
    }
    assert 'type="radio"' in str(form["identity_document_type"])
    assert errors_of(
        IdentityForm(identity(identity_document_type="")), "identity_document_type"
    ) == ["Choose the kind of document."]
    assert errors_of(
        IdentityForm(identity(identity_document_type="birth_certificate")),
        "identity_document_type",
    ) == ["Choose the kind of document from the list."]


@pytest.mark.parametrize(
    ("document_type", "typed", "stored"),
    [
        ("passport", "P7654321", "P7654321"),
        ("passport", " 123456 ", "123456"),
        ("passport", "ab12 cd34 5", "AB12CD345"),
        ("driving_licence", "MORGA 753116 SM9IJ", "MORGA753116SM9IJ"),
        ("driving_licence", "d1234", "D1234"),
        ("driving_licence", "A" * 20, "A" * 20),
        ("national_id", "123-456-789", "123-456-789"),
        ("national_id", "ab 12 cd", "AB12CD"),
        ("national_id", "X" * 20, "X" * 20),
    ],
)
def test_document_numbers_are_trimmed_upper_cased_and_kept(document_type, typed, stored):
    form = IdentityForm(
        identity(identity_document_type=document_type, identity_document_number=typed)
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["identity_document_number"] == stored


@pytest.mark.parametrize(
    ("document_type", "typed", "message"),
    [
        ("passport", "P7654", PASSPORT),  # too short
        ("passport", "P76543210", None),  # 9: fine
        ("passport", "P765432101", PASSPORT),  # 10: too long
        ("passport", "P76-54321", PASSPORT),  # no hyphens in a passport number
        ("passport", "<b>P765</b>", PASSPORT),
        ("passport", "Р7654321", PASSPORT),  # a Cyrillic Er, not a Latin P
        ("passport", "PAßPORT1", PASSPORT),  # ß must not become SS
        ("driving_licence", "D123", LICENCE),
        ("driving_licence", "D" * 21, LICENCE),
        ("driving_licence", "MORGA-753116", LICENCE),
        ("driving_licence", "P765&4321", LICENCE),
        ("national_id", "1234", NATIONAL_ID),
        ("national_id", "-12345", NATIONAL_ID),
        ("national_id", "12345-", NATIONAL_ID),
        ("national_id", "123--456", NATIONAL_ID),
        ("national_id", "1" * 21, NATIONAL_ID),
        ("national_id", "<script>alert(1)</script>", NATIONAL_ID),
    ],
)
def test_each_document_type_has_its_own_number_format(document_type, typed, message):
    form = IdentityForm(
        identity(identity_document_type=document_type, identity_document_number=typed)
    )

    if message is None:
        assert form.is_valid(), form.errors
    else:
        assert errors_of(form, "identity_document_number") == [message]


def test_a_number_that_is_far_too_long_is_refused_before_any_parsing():
    form = IdentityForm(identity(identity_document_number="1" * 41))

    assert "identity_document_number" in form.errors


# --- credentials: labels agree with validation -----------------------------------------


def credential(**overrides) -> dict:
    data = {
        "kind": "licence",
        "title": "Registered psychotherapist",
        "issuer": "UKCP",
        "number": "UKCP-123",
        "expires_on": (timezone.localdate() + dt.timedelta(days=300)).isoformat(),
    }
    data.update(overrides)
    return data


def test_fields_required_for_some_types_say_for_which_instead_of_optional():
    form = CredentialForm()

    assert form.fields["number"].required_note == "required for a licence or registration"
    assert form.fields["expires_on"].required_note == "required for a licence or insurance"
    assert form.fields["document"].required_note == "required for insurance"
    assert form.fields["number"].widget.attrs["data-required-for"] == "licence"
    assert form.fields["expires_on"].widget.attrs["data-required-for"] == "licence insurance"


def test_a_document_on_file_is_not_required_again():
    assert not hasattr(CredentialForm(has_document=True).fields["document"], "required_note")


@pytest.mark.parametrize(
    ("kind", "blank", "refused"),
    [
        ("licence", "number", True),
        ("licence", "expires_on", True),
        ("insurance", "expires_on", True),
        ("insurance", "number", False),
        ("qualification", "number", False),
        ("qualification", "expires_on", False),
    ],
)
def test_validation_matches_the_labels(kind, blank, refused):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.marketplace.practitioners.factories import pdf_bytes

    files = {}
    if kind == "insurance":
        files["document"] = SimpleUploadedFile("policy.pdf", pdf_bytes(), "application/pdf")
    form = CredentialForm(credential(kind=kind, **{blank: ""}), files)
    note = CredentialForm().fields[blank].required_note

    assert (blank in form.errors) is refused
    # The label names the types that make the field required, and only those.
    assert (kind in note) is refused
