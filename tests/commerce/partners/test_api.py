"""commerce.partners.api.rest: voucher redemption, invitations and eligible pools, with
the shared {"code", "detail"} error shape."""

import pytest

from commerce.partners.models import PoolEnrollment, SponsorPool
from tests.accounts.factories import UserFactory
from tests.commerce.partners.factories import (
    PoolInviteFactory,
    SponsorPoolFactory,
    VoucherCodeFactory,
    draw,
    enrolled_client,
)

pytestmark = pytest.mark.django_db

REDEEM_URL = "/api/v1/partners/vouchers/redeem/"
POOLS_URL = "/api/v1/partners/pools/"
ACCEPT_URL = "/api/v1/partners/invites/accept/"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


class TestRedeem:
    def test_redeems_and_describes_the_pool(self, client):
        voucher = VoucherCodeFactory(
            code="SOCIETY-2026", pool__name="Bursary", pool__partner__name="BACP"
        )
        user = UserFactory()
        client.force_login(user)
        response = _post(client, REDEEM_URL, {"code": "society 2026"})
        assert response.status_code == 200
        body = response.json()
        assert body["via"] == "voucher"
        assert body["pool"] == {
            "id": voucher.pool_id,
            "name": "Bursary",
            "partner": "BACP",
            "unit": "session",
            "per_client_cap": 3,
            "used": 0,
            "remaining": 3,
            "is_open": True,
            "starts_at": None,
            "ends_at": None,
        }
        assert PoolEnrollment.objects.filter(user=user).count() == 1

    def test_repeat_is_harmless(self, client):
        voucher = VoucherCodeFactory(max_redemptions=1)
        user = UserFactory()
        client.force_login(user)
        first = _post(client, REDEEM_URL, {"code": voucher.code})
        again = _post(client, REDEEM_URL, {"code": voucher.code})
        assert (first.status_code, again.status_code) == (200, 200)
        assert (first.json()["already_joined"], again.json()["already_joined"]) == (False, True)
        assert again.json()["pool"] == first.json()["pool"]
        voucher.refresh_from_db()
        assert voucher.redemptions == 1
        assert PoolEnrollment.objects.filter(user=user).count() == 1

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({}, 400, "invalid"),
            ({"code": ""}, 400, "invalid"),
            ({"code": ["A", "B"]}, 400, "invalid"),
            ({"code": "x" * 65}, 400, "invalid"),
            ({"code": "!!??"}, 400, "invalid_code"),
            ({"code": "NOPE-NOPE-NOPE"}, 404, "voucher_not_found"),
        ],
    )
    def test_bad_input(self, client, body, status, code):
        client.force_login(UserFactory())
        response = _post(client, REDEEM_URL, body)
        assert response.status_code == status
        assert response.json()["code"] == code
        assert response.json()["detail"]

    def test_malformed_json(self, client):
        client.force_login(UserFactory())
        response = client.post(REDEEM_URL, "{not json", content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"

    @pytest.mark.parametrize(
        ("voucher_kwargs", "code"),
        [
            ({"max_redemptions": 1, "redemptions": 1}, "voucher_exhausted"),
            ({"pool__units_funded": 1, "pool__units_used": 1}, "pool_exhausted"),
            ({"is_active": False}, "voucher_not_found"),
        ],
    )
    def test_conflicts(self, client, voucher_kwargs, code):
        voucher = VoucherCodeFactory(**voucher_kwargs)
        client.force_login(UserFactory())
        response = _post(client, REDEEM_URL, {"code": voucher.code})
        assert response.json()["code"] == code
        assert response.status_code == (404 if code == "voucher_not_found" else 409)

    def test_anonymous(self, client):
        response = _post(client, REDEEM_URL, {"code": "ANY-CODE"})
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_throttled(self, client):
        client.force_login(UserFactory())
        for _ in range(20):
            _post(client, REDEEM_URL, {"code": "NOPE-NOPE"})
        response = _post(client, REDEEM_URL, {"code": "NOPE-NOPE"})
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"

    def test_get_is_not_allowed(self, client):
        client.force_login(UserFactory())
        assert client.get(REDEEM_URL).status_code == 405


class TestPools:
    def test_lists_eligible_pools_with_remaining_cap(self, client):
        pool = SponsorPoolFactory(per_client_cap=3, unit=SponsorPool.Unit.CREDIT)
        user = enrolled_client(pool)
        draw(pool, user, units=1)
        SponsorPoolFactory()  # not enrolled
        client.force_login(user)
        response = client.get(POOLS_URL)
        assert response.status_code == 200
        assert [(p["id"], p["used"], p["remaining"], p["unit"]) for p in response.json()] == [
            (pool.pk, 1, 2, "credit")
        ]
        assert client.get(POOLS_URL, {"unit": "session"}).json() == []
        assert len(client.get(POOLS_URL, {"unit": "credit"}).json()) == 1

    def test_bad_unit(self, client):
        client.force_login(UserFactory())
        response = client.get(POOLS_URL, {"unit": "hours"})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"

    def test_anonymous(self, client):
        assert client.get(POOLS_URL).status_code == 401


class TestAcceptInvites:
    def test_accepts(self, client):
        user = UserFactory(email="ada@example.org")
        invite = PoolInviteFactory(email="ada@example.org")
        client.force_login(user)
        response = _post(client, ACCEPT_URL, {})
        assert response.status_code == 200
        (enrollment,) = response.json()["enrollments"]
        assert enrollment["via"] == "invite"
        assert enrollment["pool"]["id"] == invite.pool_id
        assert _post(client, ACCEPT_URL, {}).json()["enrollments"][0]["pool"]["id"] == (
            invite.pool_id
        )

    def test_nothing_to_accept(self, client):
        client.force_login(UserFactory())
        assert _post(client, ACCEPT_URL, {}).json() == {"enrollments": []}


def test_schema_documents_the_endpoints(client):
    from accounts.roles import Role
    from tests.accounts.factories import enrol_totp

    staff = UserFactory(is_staff=True, roles=[Role.STAFF])
    enrol_totp(staff)
    client.force_login(staff)
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {REDEEM_URL, POOLS_URL, ACCEPT_URL} <= set(paths)
