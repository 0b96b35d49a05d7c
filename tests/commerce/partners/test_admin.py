"""Staff screens in the Wagtail admin: writes go through the services, refusals show on
the form, and nothing answers 500."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.selectors import user_roles
from commerce.partners.models import PartnerAdmin, PoolInvite, SponsorPool, VoucherCode
from tests.accounts.factories import UserFactory, enrol_totp
from tests.commerce.partners.factories import (
    PartnerFactory,
    PoolInviteFactory,
    SponsorPoolFactory,
    VoucherCodeFactory,
    draw,
    enrolled_client,
    partner_admin,
)

pytestmark = pytest.mark.django_db

VIEWSETS = [
    "partners_partner",
    "partners_admin",
    "partners_pool",
    "partners_invite",
    "partners_voucher",
]


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, roles=[Role.STAFF])
    enrol_totp(staff)
    client.force_login(staff)
    return client


def _errors(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_staff_open_every_listing_and_add_form(staff_client, viewset):
    SponsorPoolFactory()
    VoucherCodeFactory()
    assert staff_client.get(reverse(f"{viewset}:index")).status_code == 200
    assert staff_client.get(reverse(f"{viewset}:add")).status_code == 200


def test_staff_open_every_edit_and_delete_page(staff_client):
    voucher = VoucherCodeFactory()
    invite = PoolInviteFactory(pool=voucher.pool)
    admin_user = partner_admin(voucher.pool.partner)
    objects = {
        "partners_partner": voucher.pool.partner,
        "partners_admin": PartnerAdmin.objects.get(user=admin_user),
        "partners_pool": voucher.pool,
        "partners_invite": invite,
        "partners_voucher": voucher,
    }
    for viewset, instance in objects.items():
        for action in ("edit", "delete"):
            url = reverse(f"{viewset}:{action}", args=[instance.pk])
            assert staff_client.get(url).status_code == 200, url


def test_people_without_staff_permissions_are_kept_out(client):
    user = partner_admin(PartnerFactory())
    client.force_login(user)
    response = client.get(reverse("partners_pool:index"))
    assert response.status_code in (302, 403)
    assert response.get("Location", "").startswith(reverse("account_login"))


def test_partner_listing_links_to_the_report(staff_client):
    partner = PartnerFactory()
    response = staff_client.get(reverse("partners_partner:index"))
    assert reverse("partners:report", args=[partner.slug]) in response.content.decode()


class TestPools:
    def _data(self, partner, **overrides):
        return {
            "partner": partner.pk,
            "name": "Bursary",
            "unit": "session",
            "units_funded": "40",
            "per_client_cap": "4",
            "eligibility": "invite_or_voucher",
            "starts_at": "",
            "ends_at": "",
            "is_active": "on",
            **overrides,
        }

    def test_create(self, staff_client):
        partner = PartnerFactory()
        response = staff_client.post(reverse("partners_pool:add"), self._data(partner))
        assert response.status_code == 302
        pool = SponsorPool.objects.get()
        assert (pool.partner, pool.units_funded, pool.per_client_cap) == (partner, 40, 4)

    def test_create_with_bad_terms_shows_errors(self, staff_client):
        partner = PartnerFactory()
        response = staff_client.post(
            reverse("partners_pool:add"), self._data(partner, units_funded="0")
        )
        assert response.status_code == 200
        assert not SponsorPool.objects.exists()

    def test_edit_keeps_units_used_written_meanwhile(self, staff_client):
        pool = SponsorPoolFactory(units_funded=10, per_client_cap=5)
        url = reverse("partners_pool:edit", args=[pool.pk])
        assert staff_client.get(url).status_code == 200
        draw(pool, enrolled_client(pool), units=3)  # a booking while the form is open
        data = self._data(pool.partner, units_funded="12", name="Topped up")
        data.pop("partner")
        data.pop("unit")
        response = staff_client.post(url, data)
        assert response.status_code == 302
        pool.refresh_from_db()
        assert (pool.units_funded, pool.units_used, pool.name) == (12, 3, "Topped up")

    def test_edit_below_use_is_refused_on_the_form(self, staff_client):
        pool = SponsorPoolFactory(units_funded=10, per_client_cap=5)
        draw(pool, enrolled_client(pool), units=4)
        data = self._data(pool.partner, units_funded="3")
        data.pop("partner")
        data.pop("unit")
        response = staff_client.post(reverse("partners_pool:edit", args=[pool.pk]), data)
        assert response.status_code == 200
        assert "4 units are already used" in _errors(response)
        pool.refresh_from_db()
        assert pool.units_funded == 10

    def test_a_pool_with_draws_is_not_deleted(self, staff_client):
        pool = SponsorPoolFactory()
        draw(pool, enrolled_client(pool))
        response = staff_client.post(reverse("partners_pool:delete", args=[pool.pk]), follow=True)
        assert response.status_code == 200
        assert "cannot be deleted" in response.content.decode()
        assert SponsorPool.objects.filter(pk=pool.pk).exists()

    def test_an_unused_pool_is_deleted(self, staff_client):
        pool = SponsorPoolFactory()
        response = staff_client.post(reverse("partners_pool:delete", args=[pool.pk]))
        assert response.status_code == 302
        assert not SponsorPool.objects.exists()


class TestVouchers:
    def test_create_without_a_code_generates_one(self, staff_client):
        pool = SponsorPoolFactory()
        response = staff_client.post(
            reverse("partners_voucher:add"),
            {
                "pool": pool.pk,
                "code": "",
                "max_redemptions": "25",
                "expires_at": "",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        voucher = VoucherCode.objects.get()
        assert len(voucher.code) == 14 and voucher.max_redemptions == 25

    def test_a_code_matching_another_is_refused(self, staff_client):
        VoucherCodeFactory(code="SOCIETY-2026")
        pool = SponsorPoolFactory()
        response = staff_client.post(
            reverse("partners_voucher:add"),
            {"pool": pool.pk, "code": "society2026", "max_redemptions": "", "expires_at": ""},
        )
        assert response.status_code == 200
        assert "already exists" in _errors(response)
        assert VoucherCode.objects.count() == 1

    def test_invite_only_pool_refuses_vouchers_on_the_form(self, staff_client):
        pool = SponsorPoolFactory(eligibility=SponsorPool.Eligibility.INVITE_ONLY)
        response = staff_client.post(
            reverse("partners_voucher:add"),
            {"pool": pool.pk, "code": "", "max_redemptions": "", "expires_at": ""},
        )
        assert response.status_code == 200
        assert "invitation only" in _errors(response)
        assert not VoucherCode.objects.exists()

    def test_edit_does_not_overwrite_redemptions(self, staff_client):
        voucher = VoucherCodeFactory(max_redemptions=5, redemptions=2)
        url = reverse("partners_voucher:edit", args=[voucher.pk])
        assert staff_client.get(url).status_code == 200
        VoucherCode.objects.filter(pk=voucher.pk).update(redemptions=4)
        response = staff_client.post(url, {"max_redemptions": "10", "expires_at": ""})
        assert response.status_code == 302
        voucher.refresh_from_db()
        assert (voucher.max_redemptions, voucher.redemptions, voucher.is_active) == (10, 4, False)


class TestInvites:
    def test_invite_many_addresses_at_once(self, staff_client):
        pool = SponsorPoolFactory()
        response = staff_client.post(
            reverse("partners_invite:add"),
            {"pool": pool.pk, "emails": "ada@example.org, BO@example.org\nada@example.org"},
            follow=True,
        )
        assert response.status_code == 200
        assert sorted(PoolInvite.objects.values_list("email", flat=True)) == [
            "ada@example.org",
            "bo@example.org",
        ]
        assert "2 address(es) invited" in response.content.decode()

    def test_a_bad_address_invites_nobody(self, staff_client):
        pool = SponsorPoolFactory()
        response = staff_client.post(
            reverse("partners_invite:add"),
            {"pool": pool.pk, "emails": "ok@example.org not-an-address"},
        )
        assert response.status_code == 200
        assert "not-an-address" in _errors(response)
        assert not PoolInvite.objects.exists()


class TestPartnerAdmins:
    def test_add_by_email_grants_the_role(self, staff_client):
        partner, user = PartnerFactory(), UserFactory(email="lead@society.example")
        response = staff_client.post(
            reverse("partners_admin:add"), {"partner": partner.pk, "email": "LEAD@society.example"}
        )
        assert response.status_code == 302
        assert PartnerAdmin.objects.filter(partner=partner, user=user).exists()
        assert Role.PARTNER in user_roles(user=user)

    def test_unknown_email(self, staff_client):
        response = staff_client.post(
            reverse("partners_admin:add"),
            {"partner": PartnerFactory().pk, "email": "nobody@example.org"},
        )
        assert response.status_code == 200
        assert "No active account uses this email address." in _errors(response)

    def test_edit_moves_the_role(self, staff_client):
        partner = PartnerFactory()
        old = partner_admin(partner)
        new = UserFactory()
        admin = PartnerAdmin.objects.get(user=old)
        response = staff_client.post(
            reverse("partners_admin:edit", args=[admin.pk]),
            {"partner": partner.pk, "email": new.email},
        )
        assert response.status_code == 302
        assert Role.PARTNER not in user_roles(user=old)
        assert Role.PARTNER in user_roles(user=new)

    def test_delete_revokes_the_role(self, staff_client):
        user = partner_admin(PartnerFactory())
        admin = PartnerAdmin.objects.get(user=user)
        response = staff_client.post(reverse("partners_admin:delete", args=[admin.pk]))
        assert response.status_code == 302
        assert not PartnerAdmin.objects.exists()
        assert Role.PARTNER not in user_roles(user=user)
