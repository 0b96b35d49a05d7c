"""The database keeps the partners' invariants even when a caller skips the services."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from commerce.partners.models import (
    PoolDraw,
    PoolEnrollment,
    SponsorPool,
    VoucherCode,
    voucher_code_key,
)
from tests.accounts.factories import UserFactory
from tests.commerce.partners.factories import (
    PartnerFactory,
    PoolEnrollmentFactory,
    PoolInviteFactory,
    SponsorPoolFactory,
    VoucherCodeFactory,
)

pytestmark = pytest.mark.django_db


def _refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


class TestSponsorPoolConstraints:
    def test_units_used_never_passes_funded(self):
        pool = SponsorPoolFactory(units_funded=5)
        _refused(lambda: SponsorPool.objects.filter(pk=pool.pk).update(units_used=6))
        SponsorPool.objects.filter(pk=pool.pk).update(units_used=5)
        pool.refresh_from_db()
        assert pool.units_remaining == 0

    def test_units_used_never_negative(self):
        pool = SponsorPoolFactory()
        _refused(
            lambda: SponsorPool.objects.filter(pk=pool.pk).update(units_used=F("units_used") - 1)
        )

    @pytest.mark.parametrize("field", ["units_funded", "per_client_cap"])
    def test_funding_and_cap_are_positive(self, field):
        _refused(lambda: SponsorPoolFactory(**{field: 0}))

    def test_ends_after_it_starts(self):
        now = timezone.now()
        _refused(lambda: SponsorPoolFactory(starts_at=now, ends_at=now))

    def test_unit_and_eligibility_are_known_values(self):
        _refused(lambda: SponsorPoolFactory(unit="minutes"))
        _refused(lambda: SponsorPoolFactory(eligibility="anyone"))

    def test_clean_refuses_funding_below_use(self):
        pool = SponsorPoolFactory(units_funded=5)
        SponsorPool.objects.filter(pk=pool.pk).update(units_used=4)
        pool.refresh_from_db()
        pool.units_funded = 3
        with pytest.raises(ValidationError) as error:
            pool.full_clean()
        assert "units_funded" in error.value.message_dict

    def test_is_open_follows_flags_and_window(self):
        now = timezone.now()
        pool = SponsorPoolFactory(
            starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1)
        )
        assert pool.is_open(at=now)
        assert not pool.is_open(at=now + timedelta(days=2))
        assert not pool.is_open(at=now - timedelta(days=2))
        pool.partner.is_active = False
        assert not pool.is_open(at=now)


class TestVoucherCodeConstraints:
    def test_code_is_unique_ignoring_case_and_hyphens(self):
        VoucherCodeFactory(code="SOCIETY-2026")
        _refused(lambda: VoucherCodeFactory(code="SOCIETY2026"))
        _refused(lambda: VoucherCodeFactory(code="SOC-IETY-2026"))

    def test_code_is_stored_upper_case(self):
        _refused(lambda: VoucherCodeFactory(code="lower-case"))

    def test_clean_upper_cases_and_checks_uniqueness(self):
        VoucherCodeFactory(code="SPRING-FUND")
        voucher = VoucherCode(pool=SponsorPoolFactory(), code="spring-fund")
        with pytest.raises(ValidationError) as error:
            voucher.full_clean()
        assert voucher.code == "SPRING-FUND"
        assert "A voucher with this code already exists." in str(error.value)

    def test_clean_refuses_malformed_codes(self):
        voucher = VoucherCode(pool=SponsorPoolFactory(), code="NO SPACES")
        with pytest.raises(ValidationError):
            voucher.full_clean()

    def test_redemptions_never_pass_the_limit(self):
        voucher = VoucherCodeFactory(max_redemptions=2, redemptions=2)
        _refused(
            lambda: VoucherCode.objects.filter(pk=voucher.pk).update(
                redemptions=F("redemptions") + 1
            )
        )

    def test_unlimited_voucher_counts_freely(self):
        voucher = VoucherCodeFactory(max_redemptions=None)
        VoucherCode.objects.filter(pk=voucher.pk).update(redemptions=1000)

    def test_limit_is_positive(self):
        _refused(lambda: VoucherCodeFactory(max_redemptions=0))

    def test_matching_key(self):
        assert voucher_code_key(" k7qm-xr4t 2hwn ") == "K7QMXR4T2HWN"


class TestInvitesEnrollmentsDraws:
    def test_invite_email_unique_per_pool_ignoring_case(self):
        invite = PoolInviteFactory(email="ada@example.org")
        _refused(lambda: PoolInviteFactory(pool=invite.pool, email="ADA@example.org"))
        PoolInviteFactory(email="ada@example.org")  # another pool is fine

    def test_one_enrollment_per_person_and_pool(self):
        enrollment = PoolEnrollmentFactory()
        _refused(lambda: PoolEnrollmentFactory(pool=enrollment.pool, user=enrollment.user))

    def test_draw_source_is_unique(self):
        pool, user = SponsorPoolFactory(), UserFactory()
        PoolDraw.objects.create(pool=pool, user=user, units=1, source_type="booking", source_id="1")
        _refused(
            lambda: PoolDraw.objects.create(
                pool=pool, user=user, units=1, source_type="booking", source_id="1"
            )
        )

    def test_draw_units_positive_and_source_present(self):
        pool, user = SponsorPoolFactory(), UserFactory()
        _refused(
            lambda: PoolDraw.objects.create(
                pool=pool, user=user, units=0, source_type="booking", source_id="1"
            )
        )
        _refused(
            lambda: PoolDraw.objects.create(
                pool=pool, user=user, units=1, source_type="", source_id="1"
            )
        )

    def test_enrollment_via_is_known(self):
        _refused(lambda: PoolEnrollmentFactory(via="magic"))

    def test_a_pool_with_draws_cannot_be_deleted(self):
        from django.db.models import ProtectedError

        pool, user = SponsorPoolFactory(), UserFactory()
        PoolDraw.objects.create(pool=pool, user=user, units=1, source_type="booking", source_id="1")
        with pytest.raises(ProtectedError):
            pool.delete()
        with pytest.raises(ProtectedError):
            pool.partner.delete()

    def test_str(self):
        enrollment = PoolEnrollmentFactory(
            pool__name="Bursary", pool__partner=PartnerFactory(name="BACP")
        )
        assert str(enrollment.pool) == "BACP: Bursary"
        assert enrollment.via == PoolEnrollment.Via.VOUCHER


def test_staff_group_manages_partners():
    staff = Group.objects.get(name="Staff")
    codenames = set(
        staff.permissions.filter(content_type__app_label="partners").values_list(
            "codename", flat=True
        )
    )
    for model in ("partner", "partneradmin", "sponsorpool", "poolinvite", "vouchercode"):
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= codenames
    assert {"view_poolenrollment", "view_pooldraw"} <= codenames
    assert "add_pooldraw" not in codenames
    # The rows are the ones Django itself uses (not duplicates made by the migration).
    assert (
        Permission.objects.filter(
            content_type__app_label="partners", codename="add_partner"
        ).count()
        == 1
    )
