"""Every place that shows, parses or sends money reads the one currency table in
`money`: the four zero-decimal lists that disagreed (the template filter, the offline
Stripe's pages, the practice dashboard's price form and the public profile's JSON-LD)
are gone, and what each place does for the same currency agrees."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

import money
from money.currencies import STRIPE_ZERO_DECIMAL, THREE_DECIMAL

ROOT = Path(__file__).resolve().parents[2]

# https://docs.stripe.com/currencies#zero-decimal (read 2026-12): the amount is the whole
# number of units. ISK and HUF are "special cases" there, two-decimal in the API.
STRIPE_DOCUMENTED_ZERO_DECIMAL = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip
# https://docs.stripe.com/currencies#three-decimal
STRIPE_DOCUMENTED_THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}


def test_the_table_matches_stripes_documented_lists():
    assert set(STRIPE_ZERO_DECIMAL) == STRIPE_DOCUMENTED_ZERO_DECIMAL
    assert STRIPE_DOCUMENTED_THREE_DECIMAL <= set(THREE_DECIMAL)
    for code in STRIPE_DOCUMENTED_ZERO_DECIMAL:
        assert money.get_currency(code).exponent == 0
    for code in STRIPE_DOCUMENTED_THREE_DECIMAL:
        assert money.get_currency(code).exponent == 3
    for code in ("ISK", "HUF", "TWD", "GBP", "EUR", "USD"):
        assert money.get_currency(code).exponent == 2


def test_stripes_adapter_uses_the_same_table():
    from integrations.stripe import views as stripe_views

    assert stripe_views.format_amount is money.format_amount
    assert stripe_views.format_amount(500, "jpy") == "¥500"
    assert stripe_views.format_amount(500, "ugx") == "UGX 500"
    assert stripe_views.format_amount(500000, "isk") == "ISK 5,000"
    assert stripe_views.format_amount(1250, "kwd") == "KWD 1.250"


def test_no_other_currency_list_is_left_in_the_code():
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"money", "tests", "node_modules", "var", "bench"}:
            continue
        if relative.parts[0].startswith("."):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"zero_decimal|ZERO_DECIMAL|minor_unit_factor", text, re.IGNORECASE):
            offenders.append(str(relative))
        if re.search(r"[\"'](?:jpy|JPY)[\"']\s*,\s*[\"'](?:krw|KRW)[\"']", text):
            offenders.append(str(relative))
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(6500, "gbp"), (6500, "jpy"), (6500, "isk"), (6500, "huf"), (6505, "kwd"), (6500, "ugx")],
)
def test_the_filter_and_the_stripe_pages_agree(amount, currency):
    from integrations.stripe.views import format_amount

    filtered = Template("{% load money %}{{ a|money:c }}").render(
        Context({"a": amount, "c": currency})
    )
    assert filtered == format_amount(amount, currency) == str(money.Money(amount, currency))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "typed", "stored", "shown"),
    [
        ("GBP", "60.50", 6050, "60.50"),
        ("JPY", "6000", 6000, "6000"),
        ("HUF", "60.5", 6050, "60.50"),
        ("KWD", "6.055", 6055, "6.055"),
    ],
)
def test_the_dashboard_price_form_and_the_public_json_ld_agree(currency, typed, stored, shown):
    from commerce.bookings.dashboard_forms import ServiceForm
    from commerce.bookings.public_views import practitioner_json_ld
    from marketplace.practitioners.models import Modality, PractitionerProfile, Service

    service = Service(
        name="Reiki",
        currency=currency,
        price=stored,
        accepts_card=True,
        duration_minutes=60,
        modality=Modality(name="Reiki", slug="reiki"),
    )
    form = ServiceForm(service=service)
    assert form["price"].value() == shown
    assert form.fields["price"].clean(typed) == money.Money(stored, currency)
    json_ld = practitioner_json_ld(
        PractitionerProfile(display_name="Sam"), services=[service], url="https://t/"
    )
    (offer,) = json_ld["@graph"][1]["makesOffer"]
    assert (offer["price"], offer["priceCurrency"]) == (shown, currency)
