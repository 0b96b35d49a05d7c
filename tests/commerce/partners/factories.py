"""Partners, pools and their people for tests. Enrolments and draws go through the
services so the pool's running totals stay consistent."""

import itertools

import factory

from commerce.partners.models import (
    Partner,
    PoolEnrollment,
    PoolInvite,
    SponsorPool,
    VoucherCode,
)
from commerce.partners.services import partner_admin_add, pool_draw
from tests.accounts.factories import UserFactory, enrol_totp

_sources = itertools.count(1)


def next_source_id(prefix: str = "booking") -> str:
    return f"{prefix}-{next(_sources)}"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Society {n}")
    slug = factory.Sequence(lambda n: f"society-{n}")


class SponsorPoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SponsorPool

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Pool {n}")
    unit = SponsorPool.Unit.SESSION
    units_funded = 10
    per_client_cap = 3
    eligibility = SponsorPool.Eligibility.INVITE_OR_VOUCHER


class PoolInviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolInvite

    pool = factory.SubFactory(SponsorPoolFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")


class VoucherCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoucherCode

    pool = factory.SubFactory(SponsorPoolFactory)
    code = factory.Sequence(lambda n: f"CODE-{n:04d}")


class PoolEnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolEnrollment

    pool = factory.SubFactory(SponsorPoolFactory)
    user = factory.SubFactory(UserFactory)
    via = PoolEnrollment.Via.VOUCHER


def partner_admin(partner: Partner, *, with_mfa: bool = True, **user_kwargs):
    """A new user who administers the partner (with an authenticator enrolled, as the
    role requires before reports open)."""
    user = UserFactory(**user_kwargs)
    partner_admin_add(partner=partner, user=user)
    if with_mfa:
        enrol_totp(user)
    return user


def enrolled_client(pool: SponsorPool, **user_kwargs):
    """A new user enrolled in the pool."""
    user = UserFactory(**user_kwargs)
    PoolEnrollmentFactory(pool=pool, user=user)
    return user


def draw(pool: SponsorPool, user, units: int = 1, source_id: str | None = None):
    """A draw for a unique test booking."""
    return pool_draw(
        pool=pool,
        user=user,
        units=units,
        source_type="booking",
        source_id=source_id or next_source_id(),
    )
