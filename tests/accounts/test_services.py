"""accounts.services: roles and user creation."""

import pytest
from allauth.account.models import EmailAddress

from accounts.roles import GROUP_NAMES, Role
from accounts.services import role_grant, role_revoke, user_create
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_granting_a_role_adds_its_group_once():
    user = UserFactory()

    role_grant(user=user, role=Role.PRACTITIONER)
    role_grant(user=user, role=Role.PRACTITIONER)

    assert _group_names(user) == {GROUP_NAMES[Role.PRACTITIONER]}
    assert user.is_staff is False


def test_the_staff_role_sets_and_clears_the_staff_flag():
    user = UserFactory()

    role_grant(user=user, role=Role.STAFF)
    user.refresh_from_db()
    assert user.is_staff is True

    role_revoke(user=user, role=Role.STAFF)
    user.refresh_from_db()
    assert user.is_staff is False
    assert _group_names(user) == set()


def test_revoking_staff_from_a_superuser_keeps_the_staff_flag():
    user = UserFactory(is_superuser=True, is_staff=True, roles=[Role.STAFF])

    role_revoke(user=user, role=Role.STAFF)

    user.refresh_from_db()
    assert user.is_staff is True


def test_revoking_one_role_keeps_the_others():
    user = UserFactory(roles=[Role.CLIENT, Role.PRACTITIONER])

    role_revoke(user=user, role=Role.PRACTITIONER)
    role_revoke(user=user, role=Role.PRACTITIONER)

    assert _group_names(user) == {GROUP_NAMES[Role.CLIENT]}


def test_user_create_stores_a_lower_cased_primary_address_and_roles():
    user = user_create(
        email="New.Person@Example.org",
        password="a long enough passphrase",
        first_name="New",
        is_email_verified=True,
        roles=(Role.CLIENT,),
    )

    assert user.email == "new.person@example.org"
    assert user.check_password("a long enough passphrase")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == (
        "new.person@example.org",
        True,
        True,
    )
    assert _group_names(user) == {GROUP_NAMES[Role.CLIENT]}


def test_user_create_without_a_password_makes_an_unusable_one():
    user = user_create(email="sso@example.org", password=None)

    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified is False
