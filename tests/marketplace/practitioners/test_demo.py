import pytest

from accounts.roles import Role
from accounts.selectors import user_roles
from marketplace.practitioners.demo import DEMO_NEW_PRACTITIONER_EMAIL, seed_onboarding_demo
from marketplace.practitioners.models import PractitionerProfile

pytestmark = pytest.mark.django_db


def test_the_demo_new_practitioner_is_a_draft_and_seeding_twice_changes_nothing():
    lines = seed_onboarding_demo(password="demo-password-1")
    seed_onboarding_demo(password="demo-password-1")

    profile = PractitionerProfile.objects.get(user__email=DEMO_NEW_PRACTITIONER_EMAIL)
    assert profile.status == PractitionerProfile.Status.DRAFT
    assert profile.user.check_password("demo-password-1")
    assert Role.PRACTITIONER in user_roles(user=profile.user)
    assert PractitionerProfile.objects.count() == 1
    assert "/dashboard/practice/onboarding/" in lines[0]
