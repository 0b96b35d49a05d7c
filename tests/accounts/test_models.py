"""accounts.models: email is the login, unique whatever its case."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_create_user_lower_cases_the_email():
    user = User.objects.create_user(email="Someone@Example.ORG", password="x" * 12)

    assert user.email == "someone@example.org"
    assert user.is_staff is False
    assert user.is_superuser is False


def test_create_user_needs_an_email():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user(email="", password="x" * 12)


def test_create_superuser_sets_both_flags():
    user = User.objects.create_superuser(email="root@example.org", password="x" * 12)

    assert user.is_staff is True
    assert user.is_superuser is True


def test_two_users_cannot_share_an_address_in_different_case():
    User.objects.create_user(email="taken@example.org", password="x" * 12)

    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypasses the manager's lower-casing: the database constraint still refuses it.
        User(email="TAKEN@example.org").save()


def test_clean_lower_cases_the_email():
    user = User(email="Mixed@Example.org")

    user.clean()

    assert user.email == "mixed@example.org"


def test_there_is_no_username():
    assert User.USERNAME_FIELD == "email"
    assert "username" not in {field.name for field in User._meta.get_fields()}
    assert str(User(email="a@example.org")) == "a@example.org"
