"""Every write path of the partners app, and every way its input can be wrong."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import user_roles
from commerce.credits.models import CreditAccount, CreditTransaction
from commerce.errors import Conflict, InvalidRequest, NotFound
from commerce.partners.models import (
    PartnerAdmin,
    PoolDraw,
    PoolEnrollment,
    PoolInvite,
    SponsorPool,
    VoucherCode,
)
from commerce.partners.services import (
    VOUCHER_ALPHABET,
    partner_admin_add,
    partner_admin_remove,
    partner_create,
    pool_create,
    pool_draw,
    pool_draw_reverse,
    pool_enroll_by_invite,
    pool_enroll_with_voucher,
    pool_invite,
    pool_update,
    split_email_list,
    voucher_code_parse,
    voucher_create,
    voucher_update,
)
from tests.accounts.factories import UserFactory
from tests.commerce.partners.factories import (
    PartnerFactory,
    PoolEnrollmentFactory,
    PoolInviteFactory,
    SponsorPoolFactory,
    VoucherCodeFactory,
    draw,
    enrolled_client,
    next_source_id,
)

pytestmark = pytest.mark.django_db


def _code(error) -> str:
    return error.value.api_code


# ---------- Partners and administrators ----------


class TestPartners:
    def test_create_makes_a_slug_from_the_name(self):
        partner = partner_create(name="  British Society of Rest  ")
        assert (partner.name, partner.slug, partner.is_active) == (
            "British Society of Rest",
            "british-society-of-rest",
            True,
        )

    def test_create_refuses_a_taken_slug(self):
        PartnerFactory(slug="bsr")
        with pytest.raises(Conflict) as error:
            partner_create(name="Other", slug="BSR")
        assert _code(error) == "slug_taken"

    @pytest.mark.parametrize(
        ("name", "slug"), [("", ""), ("   ", ""), ("!!!", ""), ("x" * 201, "")]
    )
    def test_create_refuses_blank_names(self, name, slug):
        with pytest.raises(InvalidRequest):
            partner_create(name=name, slug=slug)

    def test_admin_add_grants_the_partner_role_once(self):
        partner, user = PartnerFactory(), UserFactory()
        first = partner_admin_add(partner=partner, user=user)
        again = partner_admin_add(partner=partner, user=user)
        assert first.pk == again.pk
        assert PartnerAdmin.objects.filter(user=user).count() == 1
        assert Role.PARTNER in user_roles(user=user)

    def test_admin_remove_keeps_the_role_while_another_partner_remains(self):
        first, second, user = PartnerFactory(), PartnerFactory(), UserFactory()
        partner_admin_add(partner=first, user=user)
        partner_admin_add(partner=second, user=user)
        partner_admin_remove(partner=first, user=user)
        assert Role.PARTNER in user_roles(user=user)
        partner_admin_remove(partner=second, user=user)
        partner_admin_remove(partner=second, user=user)  # idempotent
        assert Role.PARTNER not in user_roles(user=user)


# ---------- Pools ----------


class TestPools:
    def test_create(self):
        partner = PartnerFactory()
        starts = timezone.now()
        pool = pool_create(
            partner=partner,
            name=" Bursary ",
            units_funded=50,
            per_client_cap=6,
            unit=SponsorPool.Unit.CREDIT,
            eligibility=SponsorPool.Eligibility.VOUCHER,
            starts_at=starts,
            ends_at=starts + timedelta(days=90),
        )
        assert (pool.name, pool.units_funded, pool.units_used, pool.unit) == (
            "Bursary",
            50,
            0,
            "credit",
        )

    @pytest.mark.parametrize(
        "changes",
        [
            {"units_funded": 0},
            {"units_funded": -3},
            {"units_funded": "10"},
            {"units_funded": True},
            {"per_client_cap": 0},
            {"unit": "minutes"},
            {"eligibility": "everyone"},
            {"name": "  "},
            {"name": "x" * 201},
            {"starts_at": timezone.now(), "ends_at": timezone.now() - timedelta(days=1)},
            {"starts_at": timezone.now().replace(tzinfo=None)},
        ],
    )
    def test_create_refuses_bad_terms(self, changes):
        values = {
            "partner": PartnerFactory(),
            "name": "Pool",
            "units_funded": 10,
            "per_client_cap": 2,
            **changes,
        }
        with pytest.raises(InvalidRequest):
            pool_create(**values)
        assert not SponsorPool.objects.exists()

    def test_update_writes_only_the_changed_columns(self):
        pool = SponsorPoolFactory(units_funded=10)
        stale = SponsorPool.objects.get(pk=pool.pk)
        client = enrolled_client(pool)
        draw(pool, client, units=2)  # units_used moves on after `stale` was loaded
        updated = pool_update(pool=stale, changes={"units_funded": 20, "name": "Topped up"})
        pool.refresh_from_db()
        assert (pool.units_funded, pool.units_used, pool.name) == (20, 2, "Topped up")
        assert updated.units_used == 2

    def test_update_refuses_funding_below_use(self):
        pool = SponsorPoolFactory(units_funded=10, per_client_cap=5)
        draw(pool, enrolled_client(pool), units=4)
        with pytest.raises(InvalidRequest) as error:
            pool_update(pool=pool, changes={"units_funded": 3})
        assert _code(error) == "below_used"
        pool_update(pool=pool, changes={"units_funded": 4})

    def test_update_refuses_unknown_or_fixed_fields(self):
        pool = SponsorPoolFactory()
        for changes in ({"units_used": 0}, {"unit": "credit"}, {"partner": None}):
            with pytest.raises(InvalidRequest):
                pool_update(pool=pool, changes=changes)

    def test_update_can_pause(self):
        pool = SponsorPoolFactory()
        pool_update(pool=pool, changes={"is_active": False})
        pool.refresh_from_db()
        assert pool.is_active is False


# ---------- Invitations ----------


class TestInvites:
    def test_invites_normalise_and_dedupe(self):
        pool = SponsorPoolFactory()
        invites = pool_invite(
            pool=pool, emails=[" Ada@Example.org ", "ada@example.org", "bo@example.org", ""]
        )
        assert [invite.email for invite in invites] == ["ada@example.org", "bo@example.org"]
        assert PoolInvite.objects.filter(pool=pool).count() == 2

    def test_inviting_again_returns_the_existing_invites(self):
        pool = SponsorPoolFactory()
        first = pool_invite(pool=pool, emails=["ada@example.org"])
        again = pool_invite(pool=pool, emails=["ADA@example.org", "cy@example.org"])
        assert again[0].pk == first[0].pk
        assert PoolInvite.objects.filter(pool=pool).count() == 2

    def test_a_bad_address_writes_nothing_and_lists_every_bad_one(self):
        pool = SponsorPoolFactory()
        with pytest.raises(InvalidRequest) as error:
            pool_invite(pool=pool, emails=["ok@example.org", "nope", "also@bad@example.org"])
        assert _code(error) == "invalid_emails"
        assert "nope" in error.value.detail and "also@bad@example.org" in error.value.detail
        assert not PoolInvite.objects.exists()

    def test_addresses_longer_than_the_column_are_invalid(self):
        too_long = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"
        with pytest.raises(InvalidRequest) as error:
            pool_invite(pool=SponsorPoolFactory(), emails=[too_long])
        assert too_long in error.value.detail

    def test_no_addresses(self):
        with pytest.raises(InvalidRequest):
            pool_invite(pool=SponsorPoolFactory(), emails=["", "  "])

    def test_text_is_split_into_addresses(self):
        assert split_email_list("a@x.org, b@x.org;c@x.org\nd@x.org ") == [
            "a@x.org",
            "b@x.org",
            "c@x.org",
            "d@x.org",
        ]
        invites = pool_invite(pool=SponsorPoolFactory(), emails="a@x.org\nb@x.org")
        assert len(invites) == 2

    def test_voucher_only_pools_take_no_invitations(self):
        pool = SponsorPoolFactory(eligibility=SponsorPool.Eligibility.VOUCHER)
        with pytest.raises(InvalidRequest) as error:
            pool_invite(pool=pool, emails=["ada@example.org"])
        assert _code(error) == "invites_not_accepted"

    def test_too_many_at_once(self):
        emails = [f"person{n}@example.org" for n in range(1001)]
        with pytest.raises(InvalidRequest):
            pool_invite(pool=SponsorPoolFactory(), emails=emails)
        assert not PoolInvite.objects.exists()


class TestEnrollByInvite:
    def test_enrols_in_every_pool_inviting_a_verified_address(self):
        user = UserFactory(email="ada@example.org")
        EmailAddress.objects.create(user=user, email="ada@work.example", verified=True)
        first, second = SponsorPoolFactory(), SponsorPoolFactory()
        PoolInviteFactory(pool=first, email="ADA@example.org")
        PoolInviteFactory(pool=second, email="ada@work.example")
        enrollments = pool_enroll_by_invite(user=user)
        assert {e.pool_id for e in enrollments} == {first.pk, second.pk}
        assert all(e.via == PoolEnrollment.Via.INVITE for e in enrollments)
        invite = PoolInvite.objects.get(pool=first)
        assert invite.accepted_user == user and invite.accepted_at is not None

    def test_is_idempotent(self):
        user = UserFactory(email="ada@example.org")
        PoolInviteFactory(email="ada@example.org")
        first = pool_enroll_by_invite(user=user)
        again = pool_enroll_by_invite(user=user)
        assert [e.pk for e in first] == [e.pk for e in again]
        assert PoolEnrollment.objects.count() == 1

    def test_unverified_addresses_do_not_count(self):
        user = UserFactory(email="ada@example.org", verified_email=False)
        EmailAddress.objects.create(user=user, email="boss@example.org", verified=False)
        PoolInviteFactory(email="ada@example.org")
        PoolInviteFactory(email="boss@example.org")
        assert pool_enroll_by_invite(user=user) == []
        assert not PoolEnrollment.objects.exists()

    def test_closed_or_voucher_only_pools_are_skipped(self):
        user = UserFactory(email="ada@example.org")
        past = timezone.now() - timedelta(days=1)
        PoolInviteFactory(email=user.email, pool__is_active=False)
        PoolInviteFactory(email=user.email, pool__partner__is_active=False)
        PoolInviteFactory(
            email=user.email, pool__starts_at=past - timedelta(days=5), pool__ends_at=past
        )
        voucher_only = PoolInviteFactory(email=user.email)
        SponsorPool.objects.filter(pk=voucher_only.pool_id).update(
            eligibility=SponsorPool.Eligibility.VOUCHER
        )
        assert pool_enroll_by_invite(user=user) == []

    def test_an_invite_accepted_by_another_account_is_not_reused(self):
        invite = PoolInviteFactory(email="shared@example.org")
        first = UserFactory(email="shared@example.org")
        pool_enroll_by_invite(user=first)
        second = UserFactory()
        EmailAddress.objects.create(user=second, email="SHARED@example.org", verified=True)
        assert pool_enroll_by_invite(user=second) == []
        invite.refresh_from_db()
        assert invite.accepted_user == first

    def test_user_without_addresses(self):
        user = UserFactory()
        EmailAddress.objects.filter(user=user).delete()
        assert pool_enroll_by_invite(user=user) == []


# ---------- Vouchers ----------


class TestVoucherCreate:
    def test_generates_a_readable_code(self):
        voucher = voucher_create(pool=SponsorPoolFactory())
        groups = voucher.code.split("-")
        assert [len(group) for group in groups] == [4, 4, 4]
        assert set(voucher.code.replace("-", "")) <= set(VOUCHER_ALPHABET)

    def test_normalises_a_given_code(self):
        voucher = voucher_create(
            pool=SponsorPoolFactory(), code="  society-2026 ", max_redemptions=3
        )
        assert (voucher.code, voucher.max_redemptions, voucher.redemptions) == (
            "SOCIETY-2026",
            3,
            0,
        )

    def test_refuses_a_code_matching_another(self):
        VoucherCodeFactory(code="SOCIETY-2026")
        with pytest.raises(Conflict) as error:
            voucher_create(pool=SponsorPoolFactory(), code="society2026")
        assert _code(error) == "code_taken"

    @pytest.mark.parametrize(
        "code", ["AB", "HAS SPACE", "DOUBLE--HYPHEN", "-LEADING", "ÜBER-CODE", "X" * 41, "A_B_C_D"]
    )
    def test_refuses_malformed_codes(self, code):
        with pytest.raises(InvalidRequest) as error:
            voucher_create(pool=SponsorPoolFactory(), code=code)
        assert _code(error) == "invalid_code"
        assert not VoucherCode.objects.exists()

    @pytest.mark.parametrize("limit", [0, -1, "3", True])
    def test_refuses_bad_limits(self, limit):
        with pytest.raises(InvalidRequest):
            voucher_create(pool=SponsorPoolFactory(), max_redemptions=limit)

    def test_invite_only_pools_take_no_vouchers(self):
        pool = SponsorPoolFactory(eligibility=SponsorPool.Eligibility.INVITE_ONLY)
        with pytest.raises(InvalidRequest) as error:
            voucher_create(pool=pool)
        assert _code(error) == "vouchers_not_accepted"

    def test_update_limit_not_below_redemptions(self):
        voucher = VoucherCodeFactory(max_redemptions=5, redemptions=3)
        with pytest.raises(InvalidRequest) as error:
            voucher_update(voucher=voucher, changes={"max_redemptions": 2})
        assert _code(error) == "below_redemptions"
        voucher_update(voucher=voucher, changes={"max_redemptions": 3, "is_active": False})
        voucher.refresh_from_db()
        assert (voucher.max_redemptions, voucher.is_active, voucher.redemptions) == (3, False, 3)

    def test_update_refuses_counters_and_code(self):
        voucher = VoucherCodeFactory()
        for changes in ({"redemptions": 0}, {"code": "NEW-CODE"}):
            with pytest.raises(InvalidRequest):
                voucher_update(voucher=voucher, changes=changes)

    def test_update_does_not_overwrite_a_concurrent_redemption(self):
        voucher = VoucherCodeFactory(max_redemptions=5)
        stale = VoucherCode.objects.get(pk=voucher.pk)
        pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)
        voucher_update(voucher=stale, changes={"is_active": True})
        voucher.refresh_from_db()
        assert voucher.redemptions == 1


class TestEnrollWithVoucher:
    def test_enrols_and_counts_the_redemption(self):
        voucher = VoucherCodeFactory(code="SOCIETY-2026", max_redemptions=2)
        user = UserFactory()
        enrollment = pool_enroll_with_voucher(user=user, code=" society 2026 ")
        assert (enrollment.pool_id, enrollment.user_id, enrollment.via, enrollment.voucher_id) == (
            voucher.pool_id,
            user.pk,
            PoolEnrollment.Via.VOUCHER,
            voucher.pk,
        )
        voucher.refresh_from_db()
        assert voucher.redemptions == 1

    @pytest.mark.parametrize(
        "typed", ["society2026", "SOCIETY-2026", "So-Ci-Ety 2026", "\tsociety-2026\n"]
    )
    def test_case_spaces_and_hyphens_are_ignored(self, typed):
        VoucherCodeFactory(code="SOCIETY-2026")
        assert pool_enroll_with_voucher(user=UserFactory(), code=typed)

    def test_redeeming_again_uses_no_second_redemption(self):
        voucher = VoucherCodeFactory(max_redemptions=1)
        user = UserFactory()
        first = pool_enroll_with_voucher(user=user, code=voucher.code)
        again = pool_enroll_with_voucher(user=user, code=voucher.code)
        assert first.pk == again.pk
        assert (first.is_new, again.is_new) == (True, False)
        voucher.refresh_from_db()
        assert voucher.redemptions == 1
        assert PoolEnrollment.objects.filter(user=user).count() == 1

    def test_already_enrolled_by_invitation(self):
        voucher = VoucherCodeFactory()
        user = enrolled_client(voucher.pool)
        enrollment = pool_enroll_with_voucher(user=user, code=voucher.code)
        assert enrollment.via == PoolEnrollment.Via.VOUCHER  # the factory enrols by voucher
        assert enrollment.is_new is False
        voucher.refresh_from_db()
        assert voucher.redemptions == 0

    def test_max_redemptions(self):
        voucher = VoucherCodeFactory(max_redemptions=2)
        pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)
        pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)
        late = UserFactory()
        with pytest.raises(Conflict) as error:
            pool_enroll_with_voucher(user=late, code=voucher.code)
        assert _code(error) == "voucher_exhausted"
        assert not PoolEnrollment.objects.filter(user=late).exists()
        voucher.refresh_from_db()
        assert voucher.redemptions == 2

    @pytest.mark.parametrize(
        "typed", ["", "   ", "ab", "no_such!", "ÄÖÜÄÖÜ", "X" * 200, None, 12345]
    )
    def test_malformed_codes_are_invalid(self, typed):
        with pytest.raises(InvalidRequest) as error:
            pool_enroll_with_voucher(user=UserFactory(), code=typed)
        assert _code(error) == "invalid_code"
        assert error.value.api_status == 400

    def test_unknown_code(self):
        with pytest.raises(NotFound) as error:
            pool_enroll_with_voucher(user=UserFactory(), code="NOPE-NOPE-NOPE")
        assert _code(error) == "voucher_not_found"

    @pytest.mark.parametrize(
        "setup",
        [
            {"is_active": False},
            {"pool__is_active": False},
            {"pool__partner__is_active": False},
        ],
    )
    def test_withdrawn_codes_look_unknown(self, setup):
        voucher = VoucherCodeFactory(**setup)
        with pytest.raises(NotFound) as error:
            pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)
        assert _code(error) == "voucher_not_found"
        assert not PoolEnrollment.objects.exists()

    def test_voucher_in_a_pool_now_invite_only_looks_unknown(self):
        voucher = VoucherCodeFactory()
        SponsorPool.objects.filter(pk=voucher.pool_id).update(
            eligibility=SponsorPool.Eligibility.INVITE_ONLY
        )
        with pytest.raises(NotFound):
            pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)

    def test_expired_voucher(self):
        voucher = VoucherCodeFactory(expires_at=timezone.now() - timedelta(minutes=1))
        with pytest.raises(Conflict) as error:
            pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)
        assert _code(error) == "voucher_expired"

    def test_ended_pool(self):
        now = timezone.now()
        voucher = VoucherCodeFactory(
            pool__starts_at=now - timedelta(days=30), pool__ends_at=now - timedelta(days=1)
        )
        with pytest.raises(Conflict) as error:
            pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)
        assert _code(error) == "voucher_expired"

    def test_pool_not_started_yet_can_be_joined(self):
        voucher = VoucherCodeFactory(pool__starts_at=timezone.now() + timedelta(days=3))
        assert pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)

    def test_exhausted_pool(self):
        voucher = VoucherCodeFactory(pool__units_funded=1)
        draw(voucher.pool, enrolled_client(voucher.pool))
        with pytest.raises(Conflict) as error:
            pool_enroll_with_voucher(user=UserFactory(), code=voucher.code)
        assert _code(error) == "pool_exhausted"
        voucher.refresh_from_db()
        assert voucher.redemptions == 0

    def test_parse(self):
        assert voucher_code_parse(" k7qm-xr4t-2hwn ") == "K7QMXR4T2HWN"


# ---------- Draws ----------


class TestDraw:
    def test_draw_takes_units_from_the_pool(self):
        pool = SponsorPoolFactory(units_funded=10, per_client_cap=3)
        user = enrolled_client(pool)
        result = pool_draw(pool=pool, user=user, units=2, source_type="booking", source_id="b-1")
        pool.refresh_from_db()
        assert (result.units, result.source_type, result.source_id) == (2, "booking", "b-1")
        assert pool.units_used == 2

    def test_never_touches_card_or_credits(self):
        pool = SponsorPoolFactory()
        draw(pool, enrolled_client(pool))
        assert not CreditTransaction.objects.exists()
        assert not CreditAccount.objects.filter(owner__isnull=False).exists()

    def test_is_idempotent_on_the_source(self):
        pool = SponsorPoolFactory()
        user = enrolled_client(pool)
        first = pool_draw(pool=pool, user=user, units=1, source_type="booking", source_id="b-7")
        again = pool_draw(pool=pool, user=user, units=1, source_type="booking", source_id="b-7")
        assert first.pk == again.pk
        pool.refresh_from_db()
        assert pool.units_used == 1
        assert PoolDraw.objects.count() == 1

    def test_a_repeat_is_answered_even_after_the_pool_closed(self):
        pool = SponsorPoolFactory()
        user = enrolled_client(pool)
        first = draw(pool, user, source_id="b-9")
        SponsorPool.objects.filter(pk=pool.pk).update(is_active=False)
        assert draw(pool, user, source_id="b-9").pk == first.pk

    @pytest.mark.parametrize("change", ["pool", "user", "units"])
    def test_the_same_source_drawing_differently_conflicts(self, change):
        pool, other_pool = SponsorPoolFactory(per_client_cap=5), SponsorPoolFactory()
        user = enrolled_client(pool)
        PoolEnrollmentFactory(pool=other_pool, user=user)
        other_user = enrolled_client(pool)
        draw(pool, user, units=1, source_id="b-1")
        kwargs = {"pool": pool, "user": user, "units": 1}
        kwargs[change] = {"pool": other_pool, "user": other_user, "units": 2}[change]
        with pytest.raises(Conflict) as error:
            pool_draw(**kwargs, source_type="booking", source_id="b-1")
        assert _code(error) == "source_conflict"

    def test_per_client_cap(self):
        pool = SponsorPoolFactory(units_funded=100, per_client_cap=3)
        user = enrolled_client(pool)
        draw(pool, user, units=2)
        with pytest.raises(Conflict) as error:
            draw(pool, user, units=2)
        assert _code(error) == "cap_reached"
        draw(pool, user, units=1)
        with pytest.raises(Conflict):
            draw(pool, user, units=1)
        pool.refresh_from_db()
        assert pool.units_used == 3
        # The cap is per client: another client still draws.
        draw(pool, enrolled_client(pool), units=3)

    def test_reversed_draws_free_the_cap(self):
        pool = SponsorPoolFactory(per_client_cap=1)
        user = enrolled_client(pool)
        first = draw(pool, user)
        pool_draw_reverse(draw=first, source_type="booking-cancellation", source_id="c-1")
        draw(pool, user)

    def test_pool_exhausted(self):
        pool = SponsorPoolFactory(units_funded=3, per_client_cap=10)
        user = enrolled_client(pool)
        draw(pool, user, units=2)
        with pytest.raises(Conflict) as error:
            draw(pool, user, units=2)
        assert _code(error) == "pool_exhausted"
        draw(pool, user, units=1)
        pool.refresh_from_db()
        assert pool.units_used == pool.units_funded == 3

    def test_not_enrolled_is_not_found(self):
        pool = SponsorPoolFactory()
        with pytest.raises(NotFound) as error:
            draw(pool, UserFactory())
        assert _code(error) == "pool_not_found"
        assert not PoolDraw.objects.exists()

    def test_deleted_pool_is_not_found(self):
        pool = SponsorPoolFactory()
        user = enrolled_client(pool)
        SponsorPool.objects.filter(pk=pool.pk).delete()
        with pytest.raises(NotFound):
            draw(pool, user)

    @pytest.mark.parametrize(
        "setup",
        [
            {"is_active": False},
            {"starts_at": timezone.now() + timedelta(days=1)},
            {"ends_at": timezone.now() - timedelta(seconds=1)},
        ],
    )
    def test_closed_pool(self, setup):
        pool = SponsorPoolFactory(**setup)
        user = enrolled_client(pool)
        with pytest.raises(Conflict) as error:
            draw(pool, user)
        assert _code(error) == "pool_closed"

    def test_inactive_partner_closes_the_pool(self):
        pool = SponsorPoolFactory(partner__is_active=False)
        with pytest.raises(Conflict):
            draw(pool, enrolled_client(pool))

    @pytest.mark.parametrize(
        ("units", "source_type", "source_id"),
        [
            (0, "booking", "1"),
            (-1, "booking", "1"),
            ("1", "booking", "1"),
            (True, "booking", "1"),
            (1, "", "1"),
            (1, "booking", "  "),
            (1, "x" * 65, "1"),
            (1, "booking", "x" * 256),
        ],
    )
    def test_bad_input(self, units, source_type, source_id):
        pool = SponsorPoolFactory()
        user = enrolled_client(pool)
        with pytest.raises(InvalidRequest):
            pool_draw(
                pool=pool, user=user, units=units, source_type=source_type, source_id=source_id
            )
        pool.refresh_from_db()
        assert pool.units_used == 0


class TestDrawReverse:
    def test_returns_units_and_keeps_the_record(self):
        pool = SponsorPoolFactory()
        user = enrolled_client(pool)
        taken = draw(pool, user, units=2)
        reversed_draw = pool_draw_reverse(draw=taken, source_type="cancellation", source_id="c-1")
        pool.refresh_from_db()
        assert pool.units_used == 0
        assert reversed_draw.is_reversed
        assert (reversed_draw.reversal_source_type, reversed_draw.reversal_source_id) == (
            "cancellation",
            "c-1",
        )
        assert PoolDraw.objects.filter(pk=taken.pk).exists()

    def test_is_idempotent(self):
        pool = SponsorPoolFactory()
        taken = draw(pool, enrolled_client(pool), units=2)
        draw(pool, enrolled_client(pool), units=1)
        first = pool_draw_reverse(draw=taken, source_type="cancellation", source_id="c-1")
        again = pool_draw_reverse(draw=taken, source_type="cancellation", source_id="c-1")
        pool.refresh_from_db()
        assert pool.units_used == 1
        assert first.reversed_at == again.reversed_at

    def test_a_reversed_source_cannot_draw_again(self):
        pool = SponsorPoolFactory()
        user = enrolled_client(pool)
        source = next_source_id()
        taken = draw(pool, user, source_id=source)
        pool_draw_reverse(draw=taken, source_type="cancellation", source_id="c-1")
        with pytest.raises(Conflict) as error:
            draw(pool, user, source_id=source)
        assert _code(error) == "draw_reversed"

    def test_needs_a_source(self):
        pool = SponsorPoolFactory()
        taken = draw(pool, enrolled_client(pool))
        with pytest.raises(InvalidRequest):
            pool_draw_reverse(draw=taken, source_type="", source_id="")
        pool.refresh_from_db()
        assert pool.units_used == 1
