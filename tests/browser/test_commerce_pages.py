"""The commerce pages people use (plans, credits, packs, sponsorships, the partner report,
payouts and the offline Stripe checkout) pass axe on a phone and a desktop, load without a
Content Security Policy violation, and a client can buy a credit pack end to end."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from accounts.roles import Role
from commerce.credits.models import CreditPack
from commerce.credits.services import credits_grant, credits_spend
from commerce.memberships.defaults import ensure_default_plans
from commerce.memberships.models import MembershipPlan
from commerce.partners.models import PoolDraw
from commerce.payments.models import Payment, Transfer
from tests.accounts.factories import UserFactory, enrol_totp
from tests.browser.support import VIEWPORTS, assert_accessible, sign_in
from tests.commerce.partners.factories import (
    PartnerFactory,
    SponsorPoolFactory,
    draw,
    enrolled_client,
    partner_admin,
)
from tests.commerce.payments.factories import ConnectedAccountFactory

pytestmark = pytest.mark.browser

PACKS = [
    {"name": "Single credit", "credit_count": 1, "price": 5500, "sort_order": 10},
    {"name": "Five credits", "credit_count": 5, "price": 25000, "sort_order": 20},
    {"name": "Ten credits", "credit_count": 10, "price": 45000, "sort_order": 30},
]


# ---------- Data ----------


@pytest.fixture
def plans():
    # A flush after an earlier committing test removes what the data migrations made.
    ensure_default_plans(MembershipPlan)


@pytest.fixture
def packs():
    for pack in PACKS:
        CreditPack.objects.get_or_create(
            name=pack["name"], defaults={**pack, "currency": "gbp", "validity_days": 180}
        )


@pytest.fixture
def client_with_credits():
    """A client whose statement has grants, a spend and a lot that expires."""
    user = UserFactory(email="ada@example.org", first_name="Ada", roles=[Role.CLIENT])
    now = timezone.now()
    credits_grant(
        user=user,
        amount=5,
        kind="purchase",
        source_type="test-pack",
        source_id="1",
        expires_at=now + timedelta(days=180),
        memo="Five credits",
    )
    credits_grant(
        user=user,
        amount=2,
        kind="allowance",
        source_type="test-allowance",
        source_id="1",
        expires_at=now + timedelta(days=30),
        memo="Member allowance",
    )
    credits_spend(
        user=user, amount=1, source_type="booking", source_id="42", memo="Counselling, 50 min"
    )
    return user


@pytest.fixture
def partner_report():
    """A partner with one pool that clients drew from over three months, and its admin
    (authenticator enrolled, as the role requires)."""
    partner = PartnerFactory(name="British Association for Counselling", slug="bacp")
    pool = SponsorPoolFactory(
        partner=partner, name="Student bursary", units_funded=40, per_client_cap=6
    )
    now = timezone.now()
    for months_ago, (email, units) in enumerate(
        [("ada.lovelace@example.org", 2), ("grace.hopper@example.org", 3), ("kat@example.org", 1)]
    ):
        client = enrolled_client(pool, email=email)
        made = draw(pool, client, units=units)
        PoolDraw.objects.filter(pk=made.pk).update(created_at=now - timedelta(days=31 * months_ago))
    admin = partner_admin(partner, email="admin@bacp.example.org")
    return partner, admin


@pytest.fixture
def practitioner_with_earnings():
    """A practitioner (authenticator enrolled) with a connected payout account, a card
    payment and a transfer for a session paid with credits."""
    user = UserFactory(email="priya@example.org", first_name="Priya", roles=[Role.PRACTITIONER])
    enrol_totp(user)
    account = ConnectedAccountFactory(owner=user)
    Payment.objects.create(
        user=UserFactory(),
        purpose=Payment.Purpose.BOOKING,
        description="Counselling, 50 min",
        amount=6000,
        currency="gbp",
        application_fee_amount=900,
        destination=account,
        status=Payment.Status.PAID,
        paid_at=timezone.now() - timedelta(days=3),
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
    return user


def log_in(page: Page, base_url: str, user) -> None:
    """Gives the browser a session for `user` made by Django's test client: no form and
    no second-factor step, which the pages under test do not re-ask for."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def open_checkout_for_pack(page: Page, base_url: str, button: str = "Buy five credits") -> None:
    page.goto(f"{base_url}/credits/buy/")
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/stripe-local/checkout/**")


# ---------- axe, phone and desktop ----------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_plans_page_passes_axe(live_server, home_page, plans, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/membership/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Membership"
    assert axe_page.get_by_role("heading", level=2, name="Premium").is_visible()
    footer = axe_page.get_by_role("navigation", name="Footer")
    assert footer.get_by_role("link", name="Buy credits").get_attribute("href") == "/credits/buy/"
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_credit_statement_with_entries_passes_axe(
    live_server, client_with_credits, axe_page, viewport
):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, client_with_credits)
    axe_page.goto(f"{live_server.url}/account/credits/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Your credits"
    assert "6" in axe_page.locator("#credits-available").inner_text()
    assert axe_page.get_by_role("cell", name="Counselling, 50 min").is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_credit_packs_page_passes_axe(live_server, packs, axe_page, viewport):
    user = UserFactory(roles=[Role.CLIENT])
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, user)
    axe_page.goto(f"{live_server.url}/credits/buy/")

    assert axe_page.get_by_role("button", name="Buy ten credits").is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_partner_join_page_with_a_bad_code_passes_axe(live_server, axe_page, viewport):
    user = UserFactory(roles=[Role.CLIENT])
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, user)
    axe_page.goto(f"{live_server.url}/partners/join/")
    axe_page.get_by_role("textbox", name="Voucher code").fill("NOPE-0000")
    axe_page.get_by_role("button", name="Redeem code").click()

    code = axe_page.get_by_role("textbox", name="Voucher code")
    assert code.get_attribute("aria-invalid") == "true"
    assert axe_page.get_by_role("alert").first.is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_partner_report_passes_axe(live_server, partner_report, axe_page, viewport):
    partner, admin = partner_report
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, admin)
    axe_page.goto(f"{live_server.url}/partners/{partner.slug}/report/")

    assert axe_page.get_by_role("heading", level=1).inner_text().endswith("usage report")
    assert axe_page.get_by_role("img", name="Sessions used per month, Student bursary").count()
    assert axe_page.get_by_role("cell", name="grace.hopper@example.org").is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_payouts_page_passes_axe(live_server, practitioner_with_earnings, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, practitioner_with_earnings)
    axe_page.goto(f"{live_server.url}/dashboard/payouts/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Payouts and earnings"
    assert axe_page.get_by_role("cell", name="Coaching, 45 min").is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_offline_checkout_passes_axe_before_and_after_a_decline(
    live_server, packs, axe_page, viewport
):
    user = UserFactory(roles=[Role.CLIENT])
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, user)
    open_checkout_for_pack(axe_page, live_server.url)

    assert axe_page.get_by_role("button", name="Pay £250.00").is_visible()
    assert_accessible(axe_page)

    axe_page.get_by_role("button", name="Decline card").click()
    assert "declined" in axe_page.get_by_role("alert").inner_text().lower()
    assert_accessible(axe_page)


# ---------- Content Security Policy ----------


def test_commerce_pages_load_without_csp_violations(
    live_server,
    home_page,
    plans,
    packs,
    client_with_credits,
    partner_report,
    practitioner_with_earnings,
    browser,
):
    partner, admin = partner_report
    visits = [
        (None, "/membership/"),
        (client_with_credits, "/account/credits/"),
        (client_with_credits, "/credits/buy/"),
        (client_with_credits, "/partners/join/"),
        (admin, f"/partners/{partner.slug}/report/"),
        (practitioner_with_earnings, "/dashboard/payouts/"),
    ]
    for user, path in visits:
        context = browser.new_context()
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda message, found=violations: (
                found.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        if user is not None:
            log_in(page, live_server.url, user)
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        if path == "/credits/buy/":
            open_checkout_for_pack(page, live_server.url)
            page.get_by_role("button", name="Decline card").click()
            page.get_by_role("alert").wait_for()
        assert violations == [], f"{page.url}: {violations}"
        context.close()


# ---------- A purchase, end to end ----------


def test_a_client_buys_five_credits_and_sees_them(live_server, packs, page, csp_violations):
    user = UserFactory(email="buyer@example.org", roles=[Role.CLIENT])
    sign_in(page, live_server.url, user.email)

    open_checkout_for_pack(page, live_server.url)
    assert "Five credits" in page.get_by_role("main").inner_text()
    page.get_by_role("button", name="Pay £250.00").click()

    page.wait_for_url("**/account/credits/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Your credits"
    assert page.locator("#credits-available").inner_text() == "5 credits"
    assert page.get_by_role("cell", name="Credit pack purchase").is_visible()
    assert csp_violations == []
