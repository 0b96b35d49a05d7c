"""A practitioner connects a payout account through the offline Stripe's onboarding and
sees their earnings, with a CSV export; nobody else sees them."""

import csv
import io

import pytest

from accounts.roles import Role
from commerce.payments.models import ConnectedAccount, Payment, Transfer
from tests.accounts.factories import UserFactory, enrol_totp
from tests.commerce.payments.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner(client):
    user = UserFactory(roles=[Role.PRACTITIONER])
    enrol_totp(user)
    client.force_login(user)
    return user


def test_onboarding_through_the_offline_stripe_enables_payouts(
    client, practitioner, django_capture_on_commit_callbacks
):
    page = client.get("/dashboard/payouts/")
    assert b"Set up payouts with Stripe" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/dashboard/payouts/connect/")
    assert started.status_code == 303
    onboarding_url = started["Location"]
    assert "/stripe-local/connect/" in onboarding_url
    form = client.get(onboarding_url)
    assert form.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            onboarding_url,
            {
                "business_name": "Priya Patel Therapy",
                "holder_name": "Priya Patel",
                "routing_number": "108800",
                "account_number": "00012345",
            },
        )
    assert done.status_code == 302, done.content.decode()[:2000]
    back = client.get(done["Location"], follow=True)
    assert b"Your payout account is ready" in back.content
    account = ConnectedAccount.objects.get(owner=practitioner)
    assert account.charges_enabled and account.payouts_enabled and account.details_submitted


def test_earnings_show_gross_fee_net_and_export_as_csv(client, practitioner):
    account = ConnectedAccountFactory(owner=practitioner)
    client_user = UserFactory()
    Payment.objects.create(
        user=client_user,
        purpose=Payment.Purpose.BOOKING,
        description="=HYPERLINK(evil)",
        amount=6000,
        currency="gbp",
        application_fee_amount=900,
        destination=account,
        status=Payment.Status.PAID,
        paid_at="2026-11-20T10:00:00Z",
    )
    Transfer.objects.create(
        destination=account,
        amount=3400,
        gross_amount=4000,
        currency="gbp",
        source_type="booking",
        source_id="7",
        description="Coaching, 45 min",
        status=Transfer.Status.CREATED,
    )
    page = client.get("/dashboard/payouts/")
    assert b"\xc2\xa360.00" in page.content  # £60.00 gross
    assert b"Coaching, 45 min" in page.content

    export = client.get("/dashboard/payouts/earnings.csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:6] == ["date", "description", "paid with", "gross", "platform fee", "net"]
    by_description = {row[1]: row for row in rows[1:]}
    assert by_description["'=HYPERLINK(evil)"][3:6] == ["60.00", "9.00", "51.00"]
    assert by_description["Coaching, 45 min"][3:6] == ["40.00", "6.00", "34.00"]


def test_the_csv_writes_major_units_beside_the_currency(client, practitioner):
    account = ConnectedAccountFactory(owner=practitioner)
    for amount, fee, currency, description in [
        (6000, 900, "jpy", "Yen session"),
        (6055, 905, "kwd", "Dinar session"),
    ]:
        Payment.objects.create(
            user=UserFactory(),
            purpose=Payment.Purpose.BOOKING,
            description=description,
            amount=amount,
            currency=currency,
            application_fee_amount=fee,
            destination=account,
            status=Payment.Status.PAID,
            paid_at="2026-11-20T10:00:00Z",
        )
    page = client.get("/dashboard/payouts/").content.decode()
    assert "¥6,000" in page and "KWD 6.055" in page
    export = client.get("/dashboard/payouts/earnings.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    by_description = {row[1]: row for row in rows[1:]}
    # The old export divided every amount by 100: 60.00 for ¥6,000.
    assert by_description["Yen session"][3:7] == ["6000", "900", "5100", "JPY"]
    assert by_description["Dinar session"][3:7] == ["6.055", "0.905", "5.150", "KWD"]


def test_other_roles_cannot_open_payouts(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/dashboard/payouts/").status_code == 403
    assert client.get("/dashboard/payouts/earnings.csv").status_code == 403


def test_a_practitioner_without_mfa_is_sent_to_enrol(client):
    user = UserFactory(roles=[Role.PRACTITIONER])
    client.force_login(user)
    response = client.get("/dashboard/payouts/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate" in response["Location"]
