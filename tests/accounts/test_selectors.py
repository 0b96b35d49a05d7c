"""accounts.selectors: roles and second-factor state."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.models import AnonymousUser, Group

from accounts.roles import Role
from accounts.selectors import (
    user_has_mfa,
    user_requires_mfa,
    user_roles,
    user_security_summary,
)
from tests.accounts.factories import UserFactory, enrol_totp

pytestmark = pytest.mark.django_db


def test_roles_come_from_groups():
    user = UserFactory(roles=[Role.CLIENT, Role.PRACTITIONER])

    assert user_roles(user=user) == {Role.CLIENT, Role.PRACTITIONER}


def test_groups_that_are_not_roles_are_ignored():
    user = UserFactory(roles=[Role.CLIENT])
    user.groups.add(Group.objects.create(name="Newsletter readers"))

    assert user_roles(user=user) == {Role.CLIENT}


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_the_staff_and_superuser_flags_count_as_the_staff_role(flag):
    user = UserFactory(**{flag: True})

    assert Role.STAFF in user_roles(user=user)


def test_anonymous_visitors_have_no_roles():
    assert user_roles(user=AnonymousUser()) == frozenset()


@pytest.mark.parametrize(
    ("roles", "required"),
    [
        ([], False),
        ([Role.CLIENT], False),
        ([Role.PARTNER], True),  # partner admins see their clients' emails
        ([Role.PRACTITIONER], True),
        ([Role.EDITOR], True),
        ([Role.STAFF], True),
        ([Role.CLIENT, Role.PRACTITIONER], True),
    ],
)
def test_mfa_is_required_for_privileged_roles(roles, required):
    assert user_requires_mfa(user=UserFactory(roles=roles)) is required


def test_a_superuser_needs_mfa_even_without_groups():
    assert user_requires_mfa(user=UserFactory(is_superuser=True)) is True


def test_totp_counts_as_mfa_and_recovery_codes_alone_do_not():
    user = UserFactory()
    assert user_has_mfa(user=user) is False

    RecoveryCodes.activate(user)
    assert user_has_mfa(user=user) is False

    enrol_totp(user)
    assert user_has_mfa(user=user) is True


def test_security_summary_reports_what_is_enrolled():
    user = UserFactory(roles=[Role.EDITOR])
    assert user_security_summary(user=user) == {
        "totp": False,
        "webauthn": False,
        "recovery_codes_left": 0,
        "mfa_enabled": False,
        "mfa_required": True,
    }

    enrol_totp(user)
    codes = RecoveryCodes.activate(user)
    codes.validate_code(codes.get_unused_codes()[0])

    summary = user_security_summary(user=user)
    assert summary["totp"] is True
    assert summary["mfa_enabled"] is True
    assert summary["recovery_codes_left"] == len(codes.generate_codes()) - 1
    assert Authenticator.objects.filter(user=user).count() == 2
