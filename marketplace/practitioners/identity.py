"""The rules for the identity details collected for the KYC check, shared by the
onboarding form (errors next to each field) and the service (nothing invalid is stored,
whoever calls it).

- Country: an ISO 3166-1 alpha-2 code from django-countries' list (any case on entry).
- Date of birth: not in the future, not more than MAXIMUM_AGE years ago, and the person
  is MINIMUM_AGE or older on the day (a 29 February birthday turns over on 1 March).
- Document type: passport, driving licence or national identity card.
- Document number, per type, after removing spaces and upper-casing (numbers are printed
  in capitals; spaces are layout, not part of the number) and only ASCII letters and
  digits: a passport number is 6–9 letters and digits; a driving licence number 5–20
  letters and digits; a national ID number 5–20 letters, digits and single hyphens
  between them.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django_countries import countries

from marketplace.practitioners.models import IdentityDocumentType

MINIMUM_AGE = 18
MAXIMUM_AGE = 120
# Longest number any type allows (the form's maxlength, before spaces are removed).
DOCUMENT_NUMBER_INPUT_MAX_LENGTH = 40

_ALNUM = r"[A-Z0-9]"
DOCUMENT_NUMBER_RULES: dict[str, tuple[re.Pattern[str], int, int, str]] = {
    IdentityDocumentType.PASSPORT: (
        re.compile(rf"{_ALNUM}+"),
        6,
        9,
        "A passport number is 6 to 9 letters and digits.",
    ),
    IdentityDocumentType.DRIVING_LICENCE: (
        re.compile(rf"{_ALNUM}+"),
        5,
        20,
        "A driving licence number is 5 to 20 letters and digits.",
    ),
    IdentityDocumentType.NATIONAL_ID: (
        re.compile(rf"{_ALNUM}+(?:-{_ALNUM}+)*"),
        5,
        20,
        "A national ID number is 5 to 20 letters and digits, with hyphens only between them.",
    ),
}
# The document type as the KYC boundary names it (integrations.kyc.types.KycPerson).
KYC_DOCUMENT_TYPES: dict[str, str] = {
    IdentityDocumentType.PASSPORT: "PASSPORT",
    IdentityDocumentType.DRIVING_LICENCE: "DRIVERS_LICENSE",
    IdentityDocumentType.NATIONAL_ID: "NATIONAL_ID",
}
DOCUMENT_NUMBER_HELP = (
    "As printed on the document; spaces are ignored. A passport number is 6 to 9 letters "
    "and digits, a driving licence number 5 to 20, and a national ID number 5 to 20 "
    "letters and digits (hyphens allowed between them)."
)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(born: date, today: date) -> int:
    """Whole years from `born` to `today` (a 29 February birthday turns over on 1 March
    in other years)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def date_of_birth_check(born: date, *, today: date) -> date:
    if born >= today:
        raise ValidationError("The date of birth must be in the past.", code="future")
    if born.year < today.year - MAXIMUM_AGE:
        raise ValidationError(
            f"Check the year of birth: it is more than {MAXIMUM_AGE} years ago.", code="too_old"
        )
    if age_on(born, today) < MINIMUM_AGE:
        raise ValidationError(
            f"You must be at least {MINIMUM_AGE} years old to practise on Aeyia.",
            code="too_young",
        )
    return born


def country_check(value: str) -> str:
    """The ISO code of a listed country, upper-cased."""
    code = (value or "").strip().upper()
    if not code or code not in countries:
        raise ValidationError("Choose the country from the list.", code="invalid_choice")
    return code


def document_type_check(value: str) -> str:
    if value not in IdentityDocumentType.values:
        raise ValidationError(
            "Choose the kind of document: passport, driving licence or national ID card.",
            code="invalid_choice",
        )
    return value


def document_number_normalise(number: str, *, document_type: str) -> str:
    """The number as stored and sent to the KYC provider (spaces removed, upper case), or
    a ValidationError saying what this document type's numbers look like."""
    pattern, shortest, longest, message = DOCUMENT_NUMBER_RULES[document_type]
    compact = "".join((number or "").split())
    # isascii() first: upper() would turn "ß" into "SS" and let it through.
    if not compact.isascii():
        raise ValidationError(message, code="invalid")
    compact = compact.upper()
    if not (shortest <= len(compact) <= longest and pattern.fullmatch(compact)):
        raise ValidationError(message, code="invalid")
    return compact


def identity_clean(
    *,
    legal_given_name: str,
    legal_family_name: str,
    date_of_birth: date | None,
    country: str,
    identity_document_type: str,
    identity_document_number: str,
    today: date,
) -> dict:
    """Every identity field checked and normalised; one ValidationError naming each field
    that is wrong."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict = {}
    for name, value in (
        ("legal_given_name", legal_given_name),
        ("legal_family_name", legal_family_name),
    ):
        value = " ".join((value or "").split())
        if not value:
            errors[name] = [ValidationError("Enter the name as it is on your document.")]
        elif len(value) > 120:
            errors[name] = [ValidationError("Use at most 120 characters.")]
        cleaned[name] = value
    checks = (
        ("date_of_birth", lambda: date_of_birth_check(date_of_birth, today=today)),
        ("country", lambda: country_check(country)),
        ("identity_document_type", lambda: document_type_check(identity_document_type)),
    )
    for name, check in checks:
        if name == "date_of_birth" and date_of_birth is None:
            errors[name] = [ValidationError("Enter your date of birth.", code="required")]
            continue
        try:
            cleaned[name] = check()
        except ValidationError as error:
            errors[name] = [error]
    if "identity_document_type" in cleaned:
        try:
            cleaned["identity_document_number"] = document_number_normalise(
                identity_document_number, document_type=identity_document_type
            )
        except ValidationError as error:
            errors["identity_document_number"] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned
