"""Staff and editors type prices in the currency's main unit in the Wagtail admin
(credit packs, membership plans, course pages) and the lists show money; the stored
amounts stay minor units."""

import pytest

from commerce.credits.models import CreditPack
from commerce.memberships.models import MembershipPlan
from tests.accounts.factories import UserFactory, enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_seeded_packs():
    CreditPack.objects.all().delete()


@pytest.fixture
def admin_client(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(user)
    client.force_login(user)
    return client


def pack_data(**overrides) -> dict:
    data = {
        "name": "Ten sessions",
        "credit_count": "10",
        "price": "450.00",
        "currency": "gbp",
        "validity_days": "365",
        "is_active": "on",
        "sort_order": "0",
    }
    return data | overrides


def test_a_credit_pack_is_priced_in_pounds(admin_client):
    response = admin_client.post("/cms/credit_packs/new/", pack_data(price="£450"))
    assert response.status_code == 302, response.content.decode()[:3000]
    pack = CreditPack.objects.get()
    assert (pack.price, pack.currency) == (45000, "gbp")
    assert "£450.00" in admin_client.get("/cms/credit_packs/").content.decode()
    edit = admin_client.get(f"/cms/credit_packs/edit/{pack.pk}/").content.decode()
    assert 'value="450.00"' in edit


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": "45000p"}, "Enter an amount such as £12.50."),
        ({"price": "0"}, "Enter an amount above £0.00."),
        ({"price": "4.505"}, "GBP amounts have at most two decimals."),
        ({"currency": "jpy", "price": "4500.5"}, "JPY amounts are whole numbers"),
        ({"currency": "££"}, "Enter a three-letter ISO 4217 code, such as GBP."),
    ],
)
def test_bad_pack_prices_are_explained_in_the_currency(admin_client, overrides, message):
    response = admin_client.post("/cms/credit_packs/new/", pack_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CreditPack.objects.exists()


def test_a_yen_pack_is_stored_in_whole_yen(admin_client):
    admin_client.post("/cms/credit_packs/new/", pack_data(currency="jpy", price="¥45,000"))
    assert CreditPack.objects.get().price == 45000
    assert "¥45,000" in admin_client.get("/cms/credit_packs/").content.decode()


def test_a_membership_plan_is_priced_in_its_currency(admin_client):
    MembershipPlan.objects.all().delete()
    response = admin_client.post(
        "/cms/membership_plans/new/",
        {
            "name": "Member",
            "slug": "member-kwd",
            "price": "12.5",
            "currency": "kwd",
            "interval": "month",
            "monthly_credit_allowance": "0",
            "member_discount_percent": "10",
            "access_level": "20",
            "is_active": "on",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = MembershipPlan.objects.get(slug="member-kwd")
    assert plan.price == 12500
    assert "KWD 12.500" in admin_client.get("/cms/membership_plans/").content.decode()


def test_a_course_price_is_typed_in_pounds():
    from cms.courses.models import CoursePage

    form_class = CoursePage.get_edit_handler().get_form_class()
    course = CoursePage(title="Sleep well", slug="sleep-well", price=2500, currency="GBP")
    shown = form_class(instance=course, for_user=UserFactory(is_superuser=True))
    assert shown["price"].value() == "25.00"

    too_cheap = form_class(
        {"title": "Sleep well", "price": "0.49", "currency": "GBP"},
        instance=course,
        for_user=UserFactory(is_superuser=True),
    )
    assert not too_cheap.is_valid()
    # The old field was minor units: "Ensure this value is greater than or equal to 50."
    assert too_cheap.errors["price"] == ["At least £0.50."]

    typed = form_class(
        {"title": "Sleep well", "price": "£25.50", "currency": "GBP"},
        instance=course,
        for_user=UserFactory(is_superuser=True),
    )
    typed.is_valid()
    assert "price" not in typed.errors
    assert typed.cleaned_data["price"] == 2550
